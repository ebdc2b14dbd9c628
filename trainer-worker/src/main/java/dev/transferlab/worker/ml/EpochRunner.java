package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs one epoch's batches on the device. The features are copied there once for the whole run; each batch is gathered
 * from them by index and its arrays are freed as soon as the batch is done, so a cancelled run leaves nothing behind
 * but what the trainer's managers own. Written out rather than EasyTrain.fit, which can neither resume at an epoch nor
 * stop early nor let a job cancel between batches.
 */
final class EpochRunner {
    /**
     * DJL's PyTorch engine records one gradient at a time per process (a second collector fails with "already
     * collecting"), so heads trained at once on one worker, a job's and a sweep's trials, take turns for each batch's
     * forward and backward pass; fair, so that none waits behind the others. The rest of their work overlaps.
     */
    private static final ReentrantLock GRADIENT_TURN = new ReentrantLock(true);

    private final Trainer trainer;
    private final HeadNetwork network;
    private final Loss validationLoss;
    private final NDManager manager;
    private final TrainingHooks hooks;
    private final int batchSize;
    private final NDArray trainFeatures;
    private final NDArray trainLabels;
    private final NDArray validationFeatures;
    private final NDArray validationLabels;

    /**
     * @param validationLoss the loss reported on the validation set, which may differ from the trainer's (the
     *                       criterion minimised)
     */
    EpochRunner(Trainer trainer, HeadNetwork network, Loss validationLoss, NDManager manager, LabelledFeatures train,
            LabelledFeatures validation, int batchSize, TrainingHooks hooks) {
        this.trainer = trainer;
        this.network = network;
        this.validationLoss = validationLoss;
        this.manager = manager;
        this.hooks = hooks;
        this.batchSize = batchSize;
        this.trainFeatures = features(manager, train);
        this.trainLabels = labels(manager, train);
        this.validationFeatures = features(manager, validation);
        this.validationLabels = labels(manager, validation);
    }

    /** One pass over the training examples in the given order, updating the weights after each batch. */
    BatchTotals train(int epoch, long[] order) {
        BatchTotals totals = new BatchTotals();
        for (int from = 0; from < order.length; from += batchSize) {
            hooks.beforeBatch();
            network.forBatch(epoch, from / batchSize);
            try (NDScope batch = new NDScope()) {
                int to = Math.min(from + batchSize, order.length);
                NDArray index = manager.create(Arrays.copyOfRange(order, from, to));
                NDArray features = trainFeatures.get(index);
                NDArray labels = trainLabels.get(index);
                NDArray predictions;
                NDArray loss;
                GRADIENT_TURN.lock();
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    predictions = trainer.forward(new NDList(features)).singletonOrThrow();
                    loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(predictions));
                    collector.backward(loss);
                } finally {
                    GRADIENT_TURN.unlock();
                }
                trainer.step();
                // After the collector, so the bookkeeping is not recorded for backpropagation.
                totals.add(loss, predictions, labels);
            }
        }
        return totals;
    }

    /** Loss and accuracy on the validation examples in order, in batches of the training batch size. */
    BatchTotals validate() {
        BatchTotals totals = new BatchTotals();
        long size = validationLabels.size();
        for (long from = 0; from < size; from += batchSize) {
            try (NDScope batch = new NDScope()) {
                NDIndex rows = new NDIndex().addSliceDim(from, Math.min(from + batchSize, size));
                NDArray labels = validationLabels.get(rows);
                NDArray predictions = trainer.evaluate(new NDList(validationFeatures.get(rows))).singletonOrThrow();
                totals.add(validationLoss.evaluate(new NDList(labels), new NDList(predictions)), predictions, labels);
            }
        }
        return totals;
    }

    private static NDArray features(NDManager manager, LabelledFeatures set) {
        float[] flat = new float[set.size() * set.featureSize()];
        for (int i = 0; i < set.size(); i++) {
            System.arraycopy(set.features()[i], 0, flat, i * set.featureSize(), set.featureSize());
        }
        return manager.create(flat, new Shape(set.size(), set.featureSize()));
    }

    private static NDArray labels(NDManager manager, LabelledFeatures set) {
        return manager.create(Arrays.stream(set.labels()).asLongStream().toArray());
    }
}
