package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.transferlab.worker.ml.HeadTrainerTest.IGNORE;
import static dev.transferlab.worker.ml.HeadTrainerTest.clusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The head options with resuming, reporting and bad class weights (their arithmetic: HeadOptionsParityTest). */
class HeadOptionsTest {

    static final LabelledFeatures TRAIN = clusters(120, 1);
    static final LabelledFeatures VALIDATION = clusters(40, 2);
    static final List<String> CLASSES = List.of("cat", "dog");
    /** Every option on at once. */
    static final Hyperparameters ALL = new Hyperparameters(6, 32, 1e-2, 16, 0.2, 11L, null, null,
            ClassWeights.balanced(), 0.05, 0.3, 0.1, Hyperparameters.COSINE, null, null, 2);

    private final HeadTrainer trainer = new HeadTrainer(Device.cpu());

    @Test
    void aRunWithEveryOptionResumedFromAStoredCheckpointEndsExactlyAsTheUninterruptedOne() {
        List<HeadCheckpoint> checkpoints = new ArrayList<>();
        TrainingOutcome straight = trainer.train(TRAIN, VALIDATION, CLASSES, ALL, Optional.empty(),
                (metrics, checkpoint) -> checkpoints.add(checkpoint));
        HeadCheckpoint afterThree = HeadCheckpoint.fromBytes(checkpoints.get(2).toBytes());

        TrainingOutcome resumed = trainer.train(TRAIN, VALIDATION, CLASSES, ALL, Optional.of(afterThree), IGNORE);

        assertThat(resumed.lastWeights()).isEqualTo(straight.lastWeights());
        assertThat(resumed.headWeights()).isEqualTo(straight.headWeights());
        assertThat(resumed.epochs()).extracting(EpochMetrics::trainLoss)
                .containsExactlyElementsOf(straight.epochs().stream().map(EpochMetrics::trainLoss).toList());
        // Dropout is on: another seed's masks (and initial weights) give another run.
        TrainingOutcome otherSeed = trainer.train(TRAIN, VALIDATION, CLASSES, withSeed(ALL, 12L), Optional.empty(),
                IGNORE);
        assertThat(otherSeed.lastWeights()).isNotEqualTo(straight.lastWeights());
    }

    @Test
    void aCheckpointTakenWithOtherOptionsIsRefused() {
        List<HeadCheckpoint> checkpoints = new ArrayList<>();
        trainer.train(TRAIN, VALIDATION, CLASSES, ALL, Optional.empty(),
                (metrics, checkpoint) -> checkpoints.add(checkpoint));
        Hyperparameters lessDropout = new Hyperparameters(6, 32, 1e-2, 16, 0.2, 11L, null, null,
                ClassWeights.balanced(), 0.05, 0.2, 0.1, Hyperparameters.COSINE, null, null, 2);
        Hyperparameters none = new Hyperparameters(6, 32, 1e-2, 16, 0.2, 11L, null, null);

        for (Hyperparameters other : List.of(lessDropout, none)) {
            assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, CLASSES, other,
                    Optional.of(checkpoints.get(0)), IGNORE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the checkpoint was taken with");
        }
    }

    @Test
    void eachEpochReportsTheLearningRateItTrainedAt() {
        Hyperparameters step = new Hyperparameters(5, 32, 1e-2, 16, 0.2, 11L, null, null, null, null, null, null,
                Hyperparameters.STEP, 2, 0.5, 1);
        List<Double> heard = new ArrayList<>();

        trainer.train(TRAIN, VALIDATION, CLASSES, step, Optional.empty(), (m, c) -> heard.add(m.learningRate()));

        // Warmup epoch 1 at lr/2, then steps of 2 epochs halving it.
        assertThat(heard).containsExactly(5e-3, 1e-2, 1e-2, 5e-3, 5e-3);
    }

    @Test
    void explicitClassWeightsMustNameTheDatasetsClasses() {
        Hyperparameters unknown = weighted(Map.of("cat", 1.0, "dgo", 2.0));

        assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, CLASSES, unknown, Optional.empty(), IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not classes of the dataset: [dgo]")
                .hasMessageContaining("without a weight: [dog]");
    }

    @Test
    void balancedClassWeightsNeedTrainingExamplesOfEveryClass() {
        LabelledFeatures onlyCats = new LabelledFeatures(new float[][] {new float[4], new float[4]}, new int[] {0, 0});
        Hyperparameters balanced = new Hyperparameters(1, 32, 1e-2, 4, 0.2, 1L, null, null,
                ClassWeights.balanced(), null, null, null, null, null, null, null);

        assertThatThrownBy(() -> trainer.train(onlyCats, LabelledFeatures.empty(), CLASSES, balanced,
                Optional.empty(), IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class 'dog' has none");
    }

    private static Hyperparameters weighted(Map<String, Double> weights) {
        return new Hyperparameters(1, 32, 1e-2, 4, 0.2, 1L, null, null, ClassWeights.of(weights), null, null, null,
                null, null, null, null);
    }

    private static Hyperparameters withSeed(Hyperparameters hp, long seed) {
        return new Hyperparameters(hp.epochs(), hp.batchSize(), hp.learningRate(), hp.hiddenUnits(),
                hp.validationFraction(), seed, hp.earlyStoppingPatience(), hp.testFraction(), hp.classWeights(),
                hp.weightDecay(), hp.dropout(), hp.labelSmoothing(), hp.lrSchedule(), hp.lrStepSize(), hp.lrGamma(),
                hp.warmupEpochs());
    }
}
