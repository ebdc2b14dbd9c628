package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.transferlab.worker.ml.HeadTrainerTest.HP;
import static dev.transferlab.worker.ml.HeadTrainerTest.IGNORE;
import static dev.transferlab.worker.ml.HeadTrainerTest.clusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Resuming from checkpoints, cancelling between batches and stopping early. */
class ResumableTrainingTest {

    static final LabelledFeatures TRAIN = clusters(200, 1);
    static final LabelledFeatures VALIDATION = clusters(100, 2);

    private final HeadTrainer trainer = new HeadTrainer(Device.cpu());

    @Test
    void aRunResumedFromAStoredCheckpointEndsExactlyAsTheUninterruptedOne() {
        List<HeadCheckpoint> straightCheckpoints = new ArrayList<>();
        TrainingOutcome straight = trainer.train(TRAIN, VALIDATION, 2, HP, Optional.empty(),
                (metrics, checkpoint) -> straightCheckpoints.add(checkpoint));
        byte[] epochThreeAsTaken = straightCheckpoints.get(2).toBytes();

        // The worker dies right after storing epoch 3's checkpoint; a new one resumes from the stored bytes.
        RuntimeException killed = new RuntimeException("kill -9");
        byte[][] stored = new byte[1][];
        assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, 2, HP, Optional.empty(), (metrics, checkpoint) -> {
            stored[0] = checkpoint.toBytes();
            if (metrics.epoch() == 3) {
                throw killed;
            }
        })).isSameAs(killed);
        List<EpochMetrics> heardAfterResume = new ArrayList<>();
        List<HeadCheckpoint> resumedCheckpoints = new ArrayList<>();
        TrainingOutcome resumed = trainer.train(TRAIN, VALIDATION, 2, HP,
                Optional.of(HeadCheckpoint.fromBytes(stored[0])), (metrics, checkpoint) -> {
                    heardAfterResume.add(metrics);
                    resumedCheckpoints.add(checkpoint);
                });

        assertThat(heardAfterResume).extracting(EpochMetrics::epoch).containsExactly(4, 5, 6);
        assertThat(resumed.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3, 4, 5, 6);
        for (int i = 0; i < 6; i++) {
            assertSameExceptTiming(resumed.epochs().get(i), straight.epochs().get(i));
        }
        assertThat(resumed.bestEpoch()).isEqualTo(straight.bestEpoch());
        assertThat(resumed.lastWeights()).isEqualTo(straight.lastWeights());
        assertThat(resumed.stoppedEarly()).isFalse();
        assertClose(resumed.headWeights(), straight.headWeights());
        // The last epoch's weights and optimiser state too: the best epoch's weights alone could hide a difference.
        HeadCheckpoint straightEnd = straightCheckpoints.get(5);
        HeadCheckpoint resumedEnd = resumedCheckpoints.get(2);
        assertClose(resumedEnd.headWeights(), straightEnd.headWeights());
        assertClose(resumedEnd.optimiser().means(), straightEnd.optimiser().means());
        assertClose(resumedEnd.optimiser().variances(), straightEnd.optimiser().variances());
        assertThat(resumedEnd.optimiser().steps()).isEqualTo(straightEnd.optimiser().steps());
        // Checkpoints are snapshots: the five epochs after it did not change epoch 3's.
        assertThat(straightCheckpoints.get(2).toBytes()).isEqualTo(epochThreeAsTaken);
    }

    @Test
    void beforeBatchCancelsWithinOneBatchAndItsExceptionReachesTheCaller() {
        // 200 examples in batches of 32: 7 batches an epoch, so the 10th is the 3rd batch of epoch 2.
        AtomicInteger batches = new AtomicInteger();
        List<Integer> epochsHeard = new ArrayList<>();
        IllegalStateException cancelled = new IllegalStateException("job cancelled");
        TrainingHooks cancelAtTenthBatch = new TrainingHooks() {
            @Override
            public void beforeBatch() {
                if (batches.incrementAndGet() == 10) {
                    throw cancelled;
                }
            }

            @Override
            public void onEpoch(EpochMetrics metrics, HeadCheckpoint checkpoint) {
                epochsHeard.add(metrics.epoch());
            }
        };

        assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, 2, HP, Optional.empty(), cancelAtTenthBatch))
                .isSameAs(cancelled);

        assertThat(batches).hasValue(10);
        assertThat(epochsHeard).containsExactly(1);
        // Nothing was left half-done: the next run in this JVM trains as if the cancelled one had never been.
        Hyperparameters short2 = new Hyperparameters(2, 32, 1e-3, 16, 0.2, 11L, null);
        assertThat(trainer.train(TRAIN, VALIDATION, 2, short2, Optional.empty(), IGNORE).headWeights())
                .isEqualTo(new HeadTrainer(Device.cpu())
                        .train(TRAIN, VALIDATION, 2, short2, Optional.empty(), IGNORE).headWeights());
    }

    @Test
    void earlyStoppingEndsTheRunOncePatienceRunsOutAndKeepsTheBestWeights() {
        // Validation labels are the opposite of the training ones: the better the head learns, the worse the
        // validation loss, so epoch 1 stays best and patience 2 ends the run after epoch 3 of 10.
        LabelledFeatures opposite = inverted(VALIDATION);
        Hyperparameters patient = new Hyperparameters(10, 32, 1e-3, 16, 0.2, 11L, 2);
        List<HeadCheckpoint> checkpoints = new ArrayList<>();

        TrainingOutcome outcome = trainer.train(TRAIN, opposite, 2, patient, Optional.empty(),
                (metrics, checkpoint) -> checkpoints.add(checkpoint));
        TrainingOutcome withoutPatience = trainer.train(TRAIN, opposite, 2,
                new Hyperparameters(10, 32, 1e-3, 16, 0.2, 11L, null), Optional.empty(), IGNORE);

        assertThat(outcome.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
        assertThat(outcome.stoppedEarly()).isTrue();
        assertThat(outcome.bestEpoch()).isEqualTo(1);
        assertThat(outcome.headWeights()).isEqualTo(checkpoints.get(0).headWeights());
        assertThat(outcome.headWeights()).isNotEqualTo(checkpoints.get(2).headWeights());
        assertThat(outcome.lastWeights()).isEqualTo(checkpoints.get(2).headWeights());
        assertThat(withoutPatience.epochs()).hasSize(10);
        assertThat(withoutPatience.stoppedEarly()).isFalse();
        assertThat(withoutPatience.bestEpoch()).isEqualTo(1);
    }

    @Test
    void theEarlyStoppingDecisionSurvivesAResume() {
        LabelledFeatures opposite = inverted(VALIDATION);
        Hyperparameters patient = new Hyperparameters(10, 32, 1e-3, 16, 0.2, 11L, 2);
        List<HeadCheckpoint> checkpoints = new ArrayList<>();
        trainer.train(TRAIN, opposite, 2, patient, Optional.empty(),
                (metrics, checkpoint) -> checkpoints.add(checkpoint));
        List<Integer> heard = new ArrayList<>();

        TrainingOutcome fromTwo = trainer.train(TRAIN, opposite, 2, patient, Optional.of(checkpoints.get(1)),
                (metrics, checkpoint) -> heard.add(metrics.epoch()));
        TrainingOutcome fromThree = trainer.train(TRAIN, opposite, 2, patient, Optional.of(checkpoints.get(2)),
                (metrics, checkpoint) -> heard.add(metrics.epoch()));

        assertThat(heard).containsExactly(3);
        assertThat(fromTwo.epochs()).hasSize(3);
        assertThat(fromTwo.stoppedEarly()).isTrue();
        assertThat(fromThree.epochs()).hasSize(3);
        assertThat(fromThree.stoppedEarly()).isTrue();
        assertThat(fromThree.headWeights()).isEqualTo(checkpoints.get(0).headWeights());
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused() {
        List<HeadCheckpoint> checkpoints = new ArrayList<>();
        Hyperparameters one = new Hyperparameters(1, 32, 1e-3, 16, 0.2, 11L, null);
        trainer.train(TRAIN, VALIDATION, 2, one, Optional.empty(),
                (metrics, checkpoint) -> checkpoints.add(checkpoint));
        Optional<HeadCheckpoint> resume = Optional.of(checkpoints.get(0));

        assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, 2,
                new Hyperparameters(1, 32, 1e-3, 16, 0.2, 12L, null), resume, IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed=12");
        assertThatThrownBy(() -> trainer.train(clusters(150, 1), VALIDATION, 2, one, resume, IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("150");
        assertThatThrownBy(() -> trainer.train(TRAIN, VALIDATION, 3, one, resume, IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc2.weight");
    }

    private static void assertSameExceptTiming(EpochMetrics actual, EpochMetrics expected) {
        assertThat(actual.epoch()).isEqualTo(expected.epoch());
        assertThat(actual.epochs()).isEqualTo(expected.epochs());
        assertThat(actual.trainLoss()).isCloseTo(expected.trainLoss(), within(1e-6));
        assertThat(actual.validationLoss()).isCloseTo(expected.validationLoss(), within(1e-6));
        assertThat(actual.validationAccuracy()).isEqualTo(expected.validationAccuracy());
        assertThat(actual.learningRate()).isEqualTo(expected.learningRate());
    }

    private static void assertClose(Map<String, Tensor> actual, Map<String, Tensor> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, tensor) -> {
            assertThat(actual.get(name).shape()).as(name).containsExactly(tensor.shape());
            assertThat(actual.get(name).data()).as(name).containsExactly(tensor.data(), within(1e-6f));
        });
    }

    private static LabelledFeatures inverted(LabelledFeatures set) {
        int[] labels = new int[set.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = 1 - set.labels()[i];
        }
        return new LabelledFeatures(set.features(), labels);
    }
}
