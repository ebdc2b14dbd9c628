package dev.transferlab.worker.ml;

import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's account of its epochs: their metrics, the best epoch so far with its weights, and whether to go on. It starts
 * empty or from a checkpoint, so a resumed run numbers, chooses and stops exactly as the uninterrupted one would have.
 */
final class EpochRecorder {

    private final Hyperparameters hp;
    private final int trainingExamples;
    private final int validationExamples;
    private final List<EpochMetrics> history = new ArrayList<>();
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private Map<String, Tensor> bestWeights;
    private Map<String, Tensor> lastWeights;

    EpochRecorder(Hyperparameters hp, int trainingExamples, int validationExamples) {
        this.hp = hp;
        this.trainingExamples = trainingExamples;
        this.validationExamples = validationExamples;
    }

    static EpochRecorder resuming(HeadCheckpoint checkpoint) {
        EpochRecorder recorder = new EpochRecorder(checkpoint.hyperparameters(), checkpoint.trainingExamples(),
                checkpoint.validationExamples());
        recorder.history.addAll(checkpoint.history());
        recorder.bestLoss = checkpoint.bestLoss();
        recorder.bestEpoch = checkpoint.bestEpoch();
        recorder.bestWeights = checkpoint.bestWeights();
        recorder.lastWeights = checkpoint.headWeights();
        return recorder;
    }

    int nextEpoch() {
        return history.size() + 1;
    }

    /** True once every planned epoch has run, or the loss has not improved for the early-stopping patience. */
    boolean finished() {
        return history.size() >= hp.epochs() || patienceRunOut();
    }

    /**
     * Records the epoch just run at {@code learningRate}; {@code weights} are its heap snapshot, kept if it is the
     * best so far.
     */
    EpochMetrics record(BatchTotals training, BatchTotals validation, double seconds, double learningRate,
            Map<String, Tensor> weights) {
        EpochMetrics metrics = new EpochMetrics(nextEpoch(), hp.epochs(), training.meanLoss(), validation.meanLoss(),
                validation.accuracy(), trainingExamples / seconds, seconds, learningRate);
        history.add(metrics);
        lastWeights = weights;
        // Without a validation set the training loss is the only signal left for choosing an epoch.
        double loss = validation.isEmpty() ? training.meanLoss() : validation.meanLoss();
        if (bestWeights == null || loss < bestLoss) {
            bestLoss = loss;
            bestEpoch = metrics.epoch();
            bestWeights = weights;
        }
        return metrics;
    }

    HeadCheckpoint checkpoint(Map<String, Tensor> weights, AdamState optimiser) {
        return new HeadCheckpoint(history.size(), hp, trainingExamples, validationExamples, weights, optimiser,
                history, bestEpoch, bestLoss, bestWeights);
    }

    TrainingOutcome outcome() {
        return new TrainingOutcome(history, bestEpoch, bestWeights, history.size() < hp.epochs(), lastWeights);
    }

    private boolean patienceRunOut() {
        Integer patience = hp.earlyStoppingPatience();
        return patience != null && !history.isEmpty() && history.size() - bestEpoch >= patience;
    }
}
