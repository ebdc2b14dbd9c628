package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeadTrainerTest {

    static final int FEATURES = 64;
    static final TrainingHooks IGNORE = (metrics, checkpoint) -> { };
    static final Hyperparameters HP = new Hyperparameters(6, 32, 1e-3, 16, 0.2, 11L, null);

    @Test
    void trainsOnSeparableClustersAndReportsEveryEpochInOrder() {
        List<EpochMetrics> heard = new ArrayList<>();

        long start = System.nanoTime();
        TrainingOutcome outcome = new HeadTrainer(Device.cpu())
                .train(clusters(200, 1), clusters(100, 2), 2, HP, Optional.empty(), (m, c) -> heard.add(m));
        System.out.printf("head training, 6 epochs of 200 x 64-d: %.0f ms%n", (System.nanoTime() - start) / 1e6);

        assertThat(heard).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(heard).allSatisfy(m -> {
            assertThat(m.epochs()).isEqualTo(6);
            assertThat(m.learningRate()).isEqualTo(1e-3);
            assertThat(m.seconds()).isPositive();
            assertThat(m.imagesPerSecond()).isCloseTo(200 / m.seconds(), within(1e-6 * m.imagesPerSecond()));
        });
        assertThat(outcome.epochs()).isEqualTo(heard);
        assertThat(outcome.stoppedEarly()).isFalse();
        assertThat(heard.get(5).trainLoss()).isLessThan(heard.get(0).trainLoss());
        assertThat(heard.get(5).validationAccuracy()).isGreaterThanOrEqualTo(0.9);
        double lowest = heard.stream().mapToDouble(EpochMetrics::validationLoss).min().orElseThrow();
        assertThat(outcome.best().validationLoss()).isEqualTo(lowest);
        assertThat(outcome.headWeights().keySet()).containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        assertThat(outcome.headWeights().get("fc1.weight").shape()).containsExactly(16, FEATURES);
        assertThat(outcome.headWeights().get("fc1.bias").shape()).containsExactly(16);
        assertThat(outcome.headWeights().get("fc2.weight").shape()).containsExactly(2, 16);
        assertThat(outcome.headWeights().get("fc2.bias").shape()).containsExactly(2);
    }

    @Test
    void sameSeedSameWeights() {
        HeadTrainer trainer = new HeadTrainer(Device.cpu());
        Hyperparameters hp = new Hyperparameters(2, 16, 1e-3, 8, 0.2, 5L, null);

        TrainingOutcome first = trainer.train(clusters(60, 3), clusters(20, 4), 2, hp, Optional.empty(), IGNORE);
        TrainingOutcome second = trainer.train(clusters(60, 3), clusters(20, 4), 2, hp, Optional.empty(), IGNORE);
        TrainingOutcome otherSeed = trainer.train(clusters(60, 3), clusters(20, 4), 2,
                new Hyperparameters(2, 16, 1e-3, 8, 0.2, 6L, null), Optional.empty(), IGNORE);

        assertThat(second.headWeights()).isEqualTo(first.headWeights());
        assertThat(otherSeed.headWeights()).isNotEqualTo(first.headWeights());
    }

    @Test
    void withoutValidationDataTheTrainingLossChoosesAndValidationMetricsAreNaN() {
        TrainingOutcome outcome = new HeadTrainer(Device.cpu())
                .train(clusters(50, 5), LabelledFeatures.empty(), 2, HP, Optional.empty(), IGNORE);

        assertThat(outcome.epochs()).allSatisfy(m -> {
            assertThat(m.validationLoss()).isNaN();
            assertThat(m.validationAccuracy()).isNaN();
        });
        double lowest = outcome.epochs().stream().mapToDouble(EpochMetrics::trainLoss).min().orElseThrow();
        assertThat(outcome.best().trainLoss()).isEqualTo(lowest);
    }

    @Test
    void anEpochHookThatThrowsStopsTrainingWithItsOwnException() {
        List<EpochMetrics> heard = new ArrayList<>();
        IllegalStateException cancelled = new IllegalStateException("cancelled");
        TrainingHooks cancelAfterTwo = (m, c) -> {
            heard.add(m);
            if (m.epoch() == 2) {
                throw cancelled;
            }
        };

        assertThatThrownBy(() -> new HeadTrainer(Device.cpu())
                .train(clusters(40, 6), clusters(10, 7), 2, HP, Optional.empty(), cancelAfterTwo))
                .isSameAs(cancelled);
        assertThat(heard).hasSize(2);
    }

    @Test
    void labelsOutsideTheClassesAreRefused() {
        LabelledFeatures bad = new LabelledFeatures(new float[][] {new float[4], new float[4]}, new int[] {0, 2});

        assertThatThrownBy(() -> new HeadTrainer(Device.cpu()).train(bad, LabelledFeatures.empty(), 2, HP,
                Optional.empty(), IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 2");
    }

    @Test
    void theLossIsNllOnLogProbabilities() {
        // Verifies the DJL reading behind HeadTrainer.nllLoss: with fromLogit=false the input is taken as
        // log-probabilities and the loss is -mean(input[label]), torch's NLLLoss.
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] logProbabilities = {(float) Math.log(0.7), (float) Math.log(0.3), (float) Math.log(0.2),
                (float) Math.log(0.8)};
            NDList predictions = new NDList(manager.create(logProbabilities, new Shape(2, 2)));
            NDList labels = new NDList(manager.create(new long[] {0, 1}));

            float nll = HeadTrainer.nllLoss().evaluate(labels, predictions).getFloat();
            // A raw (unnormalised) input shows what fromLogit=true does differently: it log-softmaxes first.
            NDList raw = new NDList(manager.create(new float[] {2, 0, 0, 2}, new Shape(2, 2)));
            float fromLogit = new SoftmaxCrossEntropyLoss().evaluate(labels, raw).getFloat();
            float nllOfRaw = HeadTrainer.nllLoss().evaluate(labels, raw).getFloat();

            assertThat(nll).isCloseTo((float) -(Math.log(0.7) + Math.log(0.8)) / 2, within(1e-6f));
            assertThat(nllOfRaw).isEqualTo(-2f);
            assertThat(fromLogit).isCloseTo((float) Math.log(1 + Math.exp(-2)), within(1e-6f));
        }
    }

    /** Two Gaussian clusters, class 0 around -1 and class 1 around +1 in every dimension; labels alternate. */
    static LabelledFeatures clusters(int n, long seed) {
        Random random = new Random(seed);
        float[][] features = new float[n][FEATURES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < FEATURES; j++) {
                features[i][j] = (float) ((labels[i] == 0 ? -1 : 1) + random.nextGaussian());
            }
        }
        return new LabelledFeatures(features, labels);
    }
}
