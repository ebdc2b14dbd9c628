package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.ModelScores;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JobViewsTest {
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresResource.startServer();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    /** A projection on an empty store, as the service has it. */
    private static JobProjection projection(int followerBuffer) {
        return new JobProjection(new JobStore(EmbeddedPostgresResource.migrated(postgres)), followerBuffer);
    }

    private static final TrainingRequest REQUEST = TrainingRequest.of("job-1", "default", "s3://b/d/",
            BackboneSpec.densenet121(), Hyperparameters.defaults());

    /** {@code seq} numbers epochs: epoch k is {@code seq - 1}. */
    private static TrainingEvent event(long seq, TrainingEventType type) {
        TrainingEvent.Builder b = TrainingEvent.builder("job-1", "default", type);
        return switch (type) {
            case ACCEPTED -> b.request(REQUEST).build();
            case EPOCH_COMPLETED -> b.metrics(new EpochMetrics((int) seq - 1, 10, 1.0 / seq, 1.0, 0.5, 10, 1, 1e-3))
                    .build();
            case COMPLETED -> b.model("job-1", Map.of(), 2).build();
            case FAILED -> b.reason("no images").build();
            default -> b.build();
        };
    }

    @Test
    void aJobMovesFromQueuedThroughRunningToCompleted() {
        JobProjection projection = projection(16);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        assertThat(projection.view("job-1")).get().extracting(JobView::state).isEqualTo(JobState.QUEUED);
        projection.apply(event(1, TrainingEventType.STARTED));
        projection.apply(event(2, TrainingEventType.EPOCH_COMPLETED));
        JobView running = projection.view("job-1").orElseThrow();
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.phase()).isEqualTo("epoch 1 of 10");
        assertThat(running.dataset()).isEqualTo("s3://b/d/");
        projection.apply(event(3, TrainingEventType.COMPLETED));
        JobView done = projection.view("job-1").orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.COMPLETED);
        assertThat(done.modelId()).isEqualTo("job-1");
        assertThat(done.latestMetrics().epoch()).isEqualTo(1);
        assertThat(done.events()).isEqualTo(4);
    }

    @Test
    void aCompletedJobShowsTheStoredEpochsScoresBesideTheLastEpochs() {
        JobProjection projection = projection(16);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        projection.apply(event(1, TrainingEventType.STARTED));
        projection.apply(event(2, TrainingEventType.EPOCH_COMPLETED));
        projection.apply(event(3, TrainingEventType.EPOCH_COMPLETED));
        ModelScores scores = new ModelScores(new ModelScores.EpochScores(1, 0.3, 0.785, 20, 0.4, 0.75),
                new ModelScores.EpochScores(2, 0.9, 0.505, 20, 1.1, 0.5));
        projection.apply(TrainingEvent.builder("job-1", "default", TrainingEventType.COMPLETED)
                .model("job-1", Map.of(), 1).scores(scores).build());

        JobView done = projection.view("job-1").orElseThrow();

        assertThat(done.bestEpoch()).isEqualTo(1);
        assertThat(done.scores()).isEqualTo(scores);
        assertThat(done.latestMetrics().epoch()).isEqualTo(2);
    }

    @Test
    void extractionProgressAndCacheHitsKeepTheJobRunningAndShowInItsPhase() {
        JobProjection projection = projection(16);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        projection.apply(event(1, TrainingEventType.STARTED));
        projection.apply(TrainingEvent.builder("job-1", "default", TrainingEventType.EXTRACTION_PROGRESS)
                .extraction(new ExtractionProgress(40, 100, 2, 12.5, 4.8, null, null)).build());
        JobView extracting = projection.view("job-1").orElseThrow();
        assertThat(extracting.state()).isEqualTo(JobState.RUNNING);
        assertThat(extracting.phase()).isEqualTo("extracting features: 40 of 100 images, 12.5 images/s, ETA 5 s");
        assertThat(extracting.extraction().skipped()).isEqualTo(2);

        projection.apply(TrainingEvent.builder("job-1", "default", TrainingEventType.FEATURE_CACHE_HIT).build());
        assertThat(projection.view("job-1").orElseThrow().phase()).isEqualTo("features from the cache");
        assertThat(projection.store().active("default")).extracting(JobView::id).containsExactly("job-1");
    }

    @Test
    void aReleasedJobIsQueuedAgainUntilAnotherWorkerResumesItAndItsStreamStaysOpen() {
        JobProjection projection = projection(16);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        projection.apply(event(1, TrainingEventType.STARTED));
        projection.apply(event(6, TrainingEventType.EPOCH_COMPLETED));
        AssertSubscriber<TrainingEvent> follower = projection.follow("job-1", null)
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        assertThat(projection.followers()).isEqualTo(1);
        TrainingEvent released = TrainingEvent.builder("job-1", "default", TrainingEventType.RELEASED).epoch(5)
                .message("worker shutting down").build();
        projection.apply(released);
        projection.apply(released);

        JobView waiting = projection.view("job-1").orElseThrow();
        assertThat(waiting.state()).isEqualTo(JobState.QUEUED);
        assertThat(waiting.isTerminal()).isFalse();
        assertThat(waiting.phase()).isEqualTo("waiting for a worker: released after epoch 5 by a worker that shut down");
        assertThat(waiting.latestMetrics().epoch()).isEqualTo(5);
        assertThat(waiting.events()).as("the repeated release is one").isEqualTo(4);
        assertThat(projection.store().countByState().get(JobState.QUEUED)).isEqualTo(1);
        assertThat(projection.store().countByState().get(JobState.RUNNING)).isZero();
        follower.assertNotTerminated();

        projection.apply(TrainingEvent.builder("job-1", "default", TrainingEventType.RESUMED).epoch(5).build());
        assertThat(projection.view("job-1").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        projection.apply(event(3, TrainingEventType.COMPLETED));
        follower.awaitCompletion();
        assertThat(follower.getItems()).extracting(TrainingEvent::type).containsSubsequence(
                TrainingEventType.RELEASED, TrainingEventType.RESUMED, TrainingEventType.COMPLETED);
        assertThat(projection.followers()).isZero();
        assertThat(projection.store().countByState().get(JobState.COMPLETED)).isEqualTo(1);
    }

    @Test
    void aReplayedEventIsAppliedOnce() {
        JobProjection projection = projection(16);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        projection.apply(event(1, TrainingEventType.FAILED));
        projection.apply(event(1, TrainingEventType.FAILED));
        JobView failed = projection.view("job-1").orElseThrow();
        assertThat(failed.events()).isEqualTo(2);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.reason()).isEqualTo("no images");
    }

    @Test
    void aFollowerGetsTheHistoryThenLiveEventsAndTheStreamEndsAtTheTerminalEvent() {
        JobProjection projection = projection(16);
        TrainingEvent accepted = event(0, TrainingEventType.ACCEPTED);
        TrainingEvent started = event(1, TrainingEventType.STARTED);
        projection.apply(accepted);
        projection.apply(started);
        AssertSubscriber<TrainingEvent> follower = projection.follow("job-1", null)
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        follower.assertItems(accepted, started).assertNotTerminated();
        projection.apply(event(2, TrainingEventType.EPOCH_COMPLETED));
        projection.apply(event(3, TrainingEventType.COMPLETED));
        follower.awaitCompletion();
        assertThat(follower.getItems()).extracting(TrainingEvent::type).containsExactly(TrainingEventType.ACCEPTED,
                TrainingEventType.STARTED, TrainingEventType.EPOCH_COMPLETED, TrainingEventType.COMPLETED);

        AssertSubscriber<TrainingEvent> late = projection.follow("job-1", null)
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        late.assertCompleted();
        assertThat(late.getItems()).hasSize(4);
        assertThat(projection.follow("job-2", null).collect().asList().await().indefinitely()).isEmpty();
    }

    @Test
    void lastEventIdResumesRightAfterThatEvent() {
        JobProjection projection = projection(16);
        TrainingEvent accepted = event(0, TrainingEventType.ACCEPTED);
        projection.apply(accepted);
        projection.apply(event(1, TrainingEventType.STARTED));
        projection.apply(event(2, TrainingEventType.EPOCH_COMPLETED));
        AssertSubscriber<TrainingEvent> resumed = projection.follow("job-1", accepted.eventId())
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        assertThat(resumed.getItems()).extracting(TrainingEvent::type)
                .containsExactly(TrainingEventType.STARTED, TrainingEventType.EPOCH_COMPLETED);
    }

    @Test
    void aClientThatDoesNotReadIsDroppedAndTheOthersCarryOn() {
        JobProjection projection = projection(4);
        projection.apply(event(0, TrainingEventType.ACCEPTED));
        AssertSubscriber<TrainingEvent> stalled = projection.follow("job-1", null)
                .subscribe().withSubscriber(AssertSubscriber.create(0));
        AssertSubscriber<TrainingEvent> reading = projection.follow("job-1", null)
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        for (int epoch = 1; epoch <= 8; epoch++) {
            projection.apply(event(epoch + 1, TrainingEventType.EPOCH_COMPLETED));
        }
        stalled.request(Long.MAX_VALUE);
        stalled.awaitFailure().assertFailedWith(JobProjection.SlowClientException.class, "Last-Event-ID");
        projection.apply(event(20, TrainingEventType.COMPLETED));
        reading.awaitCompletion();
        assertThat(reading.getItems()).hasSize(10);
    }

    @Test
    void aBatchPredictionIsAJobOfItsOwnKindWhoseProgressIsItsPredictions() {
        JobProjection projection = projection(16);
        BatchPredictionRequest batch = BatchPredictionRequest.of("batch-1", "default", "job-1", "s3://b/d/", null);
        projection.apply(TrainingEvent.builder("batch-1", "default", TrainingEventType.ACCEPTED)
                .batchPrediction(batch).build());
        projection.apply(TrainingEvent.builder("batch-1", "default", TrainingEventType.EXTRACTION_PROGRESS)
                .extraction(new ExtractionProgress(64, 100, 1, 20, 1.8, null, null)).build());
        JobView view = projection.view("batch-1").orElseThrow();
        assertThat(view.kind()).isEqualTo(JobKind.BATCH_PREDICTION);
        assertThat(view.dataset()).isEqualTo("s3://b/d/");
        assertThat(view.state()).isEqualTo(JobState.RUNNING);
        assertThat(view.phase()).isEqualTo("predicting: 64 of 100 images, 20.0 images/s, ETA 2 s");
        assertThat(BatchPredictionView.of(view).modelId()).isEqualTo("job-1");
        assertThat(BatchPredictionView.of(view).links()).doesNotContainKey("results.jsonl");

        projection.apply(event(0, TrainingEventType.ACCEPTED));
        assertThat(projection.view("job-1").orElseThrow().kind()).isEqualTo(JobKind.TRAINING);
    }

    @Test
    void anAcceptedEventWithTheBatchPredictionOfAnotherJobDoesNotFit() {
        JobProjection projection = projection(16);
        TrainingEvent other = TrainingEvent.builder("batch-2", "default", TrainingEventType.ACCEPTED)
                .batchPrediction(BatchPredictionRequest.of("batch-3", "default", "m", "s3://b/d/", null)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> projection.apply(other))
                .isInstanceOf(UnfitEventException.class).hasMessageContaining("another job or tenant");
        assertThat(projection.view("batch-2")).isEmpty();
    }
}
