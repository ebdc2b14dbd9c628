package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.Sampler;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.transferlab.common.messages.Hyperparameters;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * Trains the classifier head on cached backbone features with the tutorial's recipe: NLL loss on the head's
 * log-softmax output, Adam at a fixed learning rate, shuffled mini-batches.
 */
public final class HeadTrainer {

    // A fixed odd constant decorrelates the shuffle stream from the initialisation stream drawn from the same seed.
    private static final long SHUFFLE_SEED_MIX = 0x9E3779B97F4A7C15L;

    private final Device device;

    public HeadTrainer(Device device) {
        this.device = device;
    }

    public TrainingOutcome train(LabelledFeatures train, LabelledFeatures validation, int numClasses,
            Hyperparameters hp, EpochListener listener) {
        check(train, validation, numClasses, hp);
        int featureSize = train.featureSize();
        HeadNetwork network = new HeadNetwork(featureSize, hp.hiddenUnits(), numClasses);
        network.useTorchInitialisation(new Random(hp.seed()));
        int batchSize = Math.min(hp.batchSize(), train.size());
        EpochRecorder recorder = new EpochRecorder(network, hp.epochs(), train.size(), hp.learningRate(), listener);
        DefaultTrainingConfig config = new DefaultTrainingConfig(nllLoss())
                .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed((float) hp.learningRate())).build())
                .optDevices(new Device[] {device})
                .addTrainingListeners(recorder);
        try (Model model = Model.newInstance("head", device);
                NDManager data = model.getNDManager().newSubManager()) {
            model.setBlock(network.block());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, featureSize));
                ArrayDataset trainSet = dataset(data, train,
                        new BatchSampler(new SeededShuffle(hp.seed() * SHUFFLE_SEED_MIX + 1), batchSize, false));
                ArrayDataset validationSet = validation.size() == 0 ? null : dataset(data, validation,
                        new BatchSampler(new SequenceSampler(), Math.min(batchSize, validation.size()), false));
                EasyTrain.fit(trainer, hp.epochs(), trainSet, validationSet);
            }
        } catch (IOException | TranslateException e) {
            throw new IllegalStateException("head training failed reading its in-memory dataset", e);
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

    private static ArrayDataset dataset(NDManager manager, LabelledFeatures set, Sampler sampler) {
        float[] flat = new float[set.size() * set.featureSize()];
        for (int i = 0; i < set.size(); i++) {
            System.arraycopy(set.features()[i], 0, flat, i * set.featureSize(), set.featureSize());
        }
        long[] labels = Arrays.stream(set.labels()).asLongStream().toArray();
        return new ArrayDataset.Builder()
                .setData(manager.create(flat, new Shape(set.size(), set.featureSize())))
                .optLabels(manager.create(labels))
                .setSampling(sampler)
                .build();
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
        if (hp.epochs() < 1 || hp.batchSize() < 1 || hp.hiddenUnits() < 1 || !(hp.learningRate() > 0)) {
            throw new IllegalArgumentException("hyperparameters need epochs, batch size and hidden units of at least"
                    + " 1 and a positive learning rate: " + hp);
        }
    }
}
