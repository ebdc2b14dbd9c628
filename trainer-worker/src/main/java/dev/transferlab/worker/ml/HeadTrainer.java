package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains the classifier head on cached backbone features with the tutorial's recipe: NLL loss on the head's
 * log-softmax output, Adam at a fixed learning rate, shuffled mini-batches; or with the head options of
 * {@link Hyperparameters} (class weights, label smoothing, AdamW, dropout, a schedule), each as PyTorch computes it.
 * The validation loss is plain NLL whatever the options, so runs with different options compare. A run can resume
 * from any epoch's checkpoint and then ends exactly as the uninterrupted run would have, stop early, and be cancelled
 * between batches.
 */
public final class HeadTrainer {

    private final Device device;

    public HeadTrainer(Device device) {
        this.device = device;
    }

    /**
     * Trains epochs {@code k+1..hp.epochs()} after a checkpoint taken after epoch k, or all of them without one, and
     * fewer when early stopping ends the run.
     *
     * @throws IllegalArgumentException when the data or hyperparameters are unusable, or the checkpoint belongs to a
     *                                  different run
     */
    public TrainingOutcome train(LabelledFeatures train, LabelledFeatures validation, int numClasses,
            Hyperparameters hp, Optional<HeadCheckpoint> resumeFrom, TrainingHooks hooks) {
        return train(train, validation, IntStream.range(0, numClasses).mapToObj(c -> "class " + c).toList(), hp,
                resumeFrom, hooks);
    }

    /**
     * As {@link #train(LabelledFeatures, LabelledFeatures, int, Hyperparameters, Optional, TrainingHooks)}, with the
     * classes' names in label order, which explicit class weights are keyed by.
     */
    public TrainingOutcome train(LabelledFeatures train, LabelledFeatures validation, List<String> classes,
            Hyperparameters hp, Optional<HeadCheckpoint> resumeFrom, TrainingHooks hooks) {
        int numClasses = classes.size();
        check(train, validation, numClasses, hp);
        double[] classWeights = hp.classWeights() == null ? null
                : hp.classWeights().resolve(classes, train.labels());
        SeededDropout dropout = hp.dropout() == null || hp.dropout() == 0 ? null
                : new SeededDropout(hp.dropout(), hp.seed());
        HeadNetwork network = new HeadNetwork(train.featureSize(), hp.hiddenUnits(), numClasses, dropout);
        resumeFrom.ifPresentOrElse(checkpoint -> {
            checkpoint.checkResumes(hp, train.size(), validation.size(), network.shapes());
            network.useValues(checkpoint.headWeights());
        }, () -> network.useTorchInitialisation(new Random(hp.seed())));
        EpochRecorder recorder = resumeFrom.map(EpochRecorder::resuming)
                .orElseGet(() -> new EpochRecorder(hp, train.size(), validation.size()));
        try (Model model = Model.newInstance("head", device);
                NDManager runManager = model.getNDManager().newSubManager()) {
            model.setBlock(network.block());
            TorchAdam adam = new TorchAdam(hp.learningRate(), hp.weightDecay(), runManager, network.namesById());
            resumeFrom.ifPresent(checkpoint -> adam.importState(checkpoint.optimiser()));
            DefaultTrainingConfig config = new DefaultTrainingConfig(HeadLoss.forTraining(hp, classWeights))
                    .optOptimizer(adam)
                    .optDevices(new Device[] {device});
            int batchSize = Math.min(hp.batchSize(), train.size());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, train.featureSize()));
                EpochRunner runner = new EpochRunner(trainer, network, nllLoss(), runManager, train, validation,
                        batchSize, hooks);
                while (!recorder.finished()) {
                    long start = System.nanoTime();
                    int epoch = recorder.nextEpoch();
                    double learningRate = LearningRateSchedule.at(hp, epoch);
                    adam.useLearningRate(learningRate);
                    BatchTotals trained = runner.train(epoch,
                            SeededShuffle.permutation(train.size(), hp.seed(), epoch));
                    BatchTotals validated = runner.validate();
                    Map<String, Tensor> weights = network.snapshot();
                    EpochMetrics metrics = recorder.record(trained, validated, (System.nanoTime() - start) / 1e9,
                            learningRate, weights);
                    hooks.onEpoch(metrics, recorder.checkpoint(weights, adam.exportState()));
                }
            }
        }
        return recorder.outcome();
    }

    /**
     * The head already ends in LogSoftmax, so the loss must take its input as log-probabilities: DJL's
     * fromLogit=true would apply log-softmax a second time (harmless, as it is idempotent, but wasted work).
     * fromLogit=false picks -log p[label] and averages over the batch, which is torch's NLLLoss.
     */
    static Loss nllLoss() {
        return new SoftmaxCrossEntropyLoss("NLLLoss", 1, -1, true, false);
    }

    private static void check(LabelledFeatures train, LabelledFeatures validation, int numClasses,
            Hyperparameters hp) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if (validation.size() > 0 && validation.featureSize() != train.featureSize()) {
            throw new IllegalArgumentException("validation features have " + validation.featureSize()
                    + " values, training features " + train.featureSize());
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + numClasses);
        }
        for (LabelledFeatures set : new LabelledFeatures[] {train, validation}) {
            for (int label : set.labels()) {
                if (label < 0 || label >= numClasses) {
                    throw new IllegalArgumentException("label " + label + " is outside 0.." + (numClasses - 1));
                }
            }
        }
        hp.requireInRange("hyperparameters");
    }
}
