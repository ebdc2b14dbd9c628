package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import dev.transferlab.common.messages.EpochMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns EasyTrain's batch callbacks into one {@link EpochMetrics} per epoch, keeps a copy of the best epoch's weights
 * and tells the job's {@link EpochListener}. The numbers are computed here from each batch's predictions rather than
 * read from DJL's EvaluatorTrainingListener, whose epoch results exist only when metrics are configured and that
 * listener happens to run first; the price is one extra loss evaluation per batch, negligible for a small head.
 */
final class EpochRecorder implements TrainingListener {

    private final HeadNetwork network;
    private final int epochs;
    private final int trainingImages;
    private final double learningRate;
    private final EpochListener listener;
    private final List<EpochMetrics> history = new ArrayList<>();
    private final Totals training = new Totals();
    private final Totals validation = new Totals();
    private long epochStart;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private Map<String, Tensor> bestWeights;

    EpochRecorder(HeadNetwork network, int epochs, int trainingImages, double learningRate, EpochListener listener) {
        this.network = network;
        this.epochs = epochs;
        this.trainingImages = trainingImages;
        this.learningRate = learningRate;
        this.listener = listener;
    }

    @Override
    public void onTrainingBegin(Trainer trainer) {
        epochStart = System.nanoTime();
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        add(trainer, batchData, training);
    }

    @Override
    public void onValidationBatch(Trainer trainer, BatchData batchData) {
        add(trainer, batchData, validation);
    }

    @Override
    public void onEpoch(Trainer trainer) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        double trainLoss = training.meanLoss();
        double validationLoss = validation.meanLoss();
        EpochMetrics metrics = new EpochMetrics(history.size() + 1, epochs, trainLoss, validationLoss,
                validation.accuracy(), trainingImages / seconds, seconds, learningRate);
        history.add(metrics);
        // Without a validation set the training loss is the only signal left for choosing an epoch.
        double loss = validation.batches == 0 ? trainLoss : validationLoss;
        if (bestWeights == null || loss < bestLoss) {
            bestLoss = loss;
            bestEpoch = metrics.epoch();
            bestWeights = network.snapshot();
        }
        training.reset();
        validation.reset();
        listener.onEpoch(metrics);
        epochStart = System.nanoTime();
    }

    @Override
    public void onTrainingEnd(Trainer trainer) {
        // Nothing to finish: every epoch was reported as it ended.
    }

    TrainingOutcome outcome() {
        return new TrainingOutcome(history, bestEpoch, bestWeights);
    }

    private static void add(Trainer trainer, BatchData batchData, Totals totals) {
        // The batch's NDArrays die with the batch; these temporaries are freed here.
        try (NDScope scope = new NDScope()) {
            for (Device device : batchData.getLabels().keySet()) {
                NDList labels = batchData.getLabels().get(device);
                NDList predictions = batchData.getPredictions().get(device);
                totals.loss += trainer.getLoss().evaluate(labels, predictions).getFloat();
                NDArray predicted = predictions.singletonOrThrow().argMax(1).toType(DataType.INT64, false);
                NDArray expected = labels.singletonOrThrow().toType(DataType.INT64, false);
                totals.correct += predicted.eq(expected).countNonzero().getLong();
                totals.examples += expected.size();
                totals.batches++;
            }
        }
    }

    private static final class Totals {
        double loss;
        long correct;
        long examples;
        int batches;

        double meanLoss() {
            return batches == 0 ? Double.NaN : loss / batches;
        }

        double accuracy() {
            return examples == 0 ? Double.NaN : (double) correct / examples;
        }

        void reset() {
            loss = 0;
            correct = 0;
            examples = 0;
            batches = 0;
        }
    }
}
