package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.transferlab.stack.SharedStack.api;
import static dev.transferlab.stack.SharedStack.awaitPhase;
import static dev.transferlab.stack.SharedStack.follow;
import static dev.transferlab.stack.SharedStack.jobBody;
import static dev.transferlab.stack.SharedStack.last;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.store;
import static dev.transferlab.stack.SharedStack.submit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs over their life: duplicates, cancellation, many followers, reconnecting followers, listing, and the evaluation
 * of the model a job stores.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JobLifecycleIT {

    @Test
    void aRetriedSubmissionWithTheSameKeyReturnsTheOriginalJobAndADifferentBodyIsAConflict() {
        String body = jobBody(putDataset("idempotent", SampleImages.CLASSES, 4), 1, 4, SharedStack.TINY_DENSENET);
        ApiClient.Answer first = api().postJson("/v1/training-jobs", body, Map.of("Idempotency-Key", "k-1"));
        ApiClient.Answer retry = api().postJson("/v1/training-jobs", body, Map.of("Idempotency-Key", "k-1"));
        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body().get("id").asText()).isEqualTo(first.body().get("id").asText());

        ApiClient.Answer other = api().postJson("/v1/training-jobs", body.replace("\"epochs\": 1", "\"epochs\": 2"),
                Map.of("Idempotency-Key", "k-1"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().get("detail").asText()).contains(first.body().get("id").asText());

        assertThat(last(follow(first.body().get("id").asText())).get("type").asText()).isEqualTo("completed");
    }

    @Test
    void cancellingDuringFeatureExtractionStopsTheJobAndStoresNoModel() throws Exception {
        // The full DenseNet121 on a CPU extracts a few images a second, so extraction is still going on when the
        // cancellation arrives.
        String dataset = putDataset("cancel-extraction", SampleImages.CLASSES, 24);
        String jobId = submit(jobBody(dataset, 3, 8, "{\"name\": \"densenet121\"}"));
        awaitPhase(jobId, "extracting features");
        assertThat(api().delete("/v1/training-jobs/" + jobId).status()).isEqualTo(202);

        List<ApiClient.SseEvent> events = follow(jobId);
        assertThat(last(events).get("type").asText()).isEqualTo("cancelled");
        assertThat(events).extracting(ApiClient.SseEvent::name).doesNotContain("epoch-completed", "completed");
        assertNoModel(jobId);
        assertThat(api().delete("/v1/training-jobs/" + jobId).status()).as("cancelling an ended job")
                .isEqualTo(409);
    }

    @Test
    void cancellingDuringTrainingStopsTheJobAndAQueuedJobIsCancelledBeforeItStarts() throws Exception {
        String running = submit(putDataset("cancel-training", SampleImages.CLASSES, 6), 1000, 2);
        String queued = submit(putDataset("cancel-queued", SampleImages.CLASSES, 4), 2, 4);
        awaitPhase(running, "epoch ");
        assertThat(api().delete("/v1/training-jobs/" + queued).status()).isEqualTo(202);
        assertThat(api().get("/v1/training-jobs/" + queued).body().get("cancelRequested").asBoolean()).isTrue();
        assertThat(api().delete("/v1/training-jobs/" + running).status()).isEqualTo(202);

        List<ApiClient.SseEvent> runningEvents = follow(running);
        assertThat(last(runningEvents).get("type").asText()).isEqualTo("cancelled");
        assertThat(runningEvents.stream().filter(e -> e.name().equals("epoch-completed")).count())
                .isBetween(1L, 999L);
        List<ApiClient.SseEvent> queuedEvents = follow(queued);
        assertThat(last(queuedEvents).get("type").asText()).isEqualTo("cancelled");
        assertThat(queuedEvents).extracting(ApiClient.SseEvent::name).doesNotContain("started");
        assertNoModel(running);
        assertNoModel(queued);
    }

    @Test
    void aHundredFollowersAllReceiveEveryEventInOrder() throws Exception {
        String jobId = submit(putDataset("many-followers", SampleImages.CLASSES, 6), 30, 2);
        ExecutorService clients = Executors.newFixedThreadPool(100);
        try {
            List<Future<List<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(clients.submit(() -> follow(jobId).stream().map(ApiClient.SseEvent::id).toList()));
            }
            List<String> reference = follow(jobId).stream().map(ApiClient.SseEvent::id).toList();
            assertThat(reference).first().isEqualTo(jobId + ":accepted");
            assertThat(reference).last().isEqualTo(jobId + ":completed");
            assertThat(reference).filteredOn(id -> id.contains(":epoch-completed:")).hasSize(30);
            for (Future<List<String>> stream : streams) {
                assertThat(stream.get(3, TimeUnit.MINUTES)).containsExactlyElementsOf(reference);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aReconnectingClientResumesAfterItsLastEventId() {
        String jobId = submit(putDataset("last-event-id", SampleImages.CLASSES, 4), 4, 4);
        List<String> all = follow(jobId).stream().map(ApiClient.SseEvent::id).toList();
        String lastSeen = jobId + ":epoch-completed:2";
        List<String> resumed = new ArrayList<>();
        api().followEvents(jobId, lastSeen, e -> resumed.add(e.id()));
        assertThat(resumed).containsExactlyElementsOf(all.subList(all.indexOf(lastSeen) + 1, all.size()));
        assertThat(resumed).contains(jobId + ":epoch-completed:3").doesNotContain(lastSeen)
                .last().isEqualTo(jobId + ":completed");
    }

    @Test
    void jobsAreListedNewestFirstAndFilteredByState() {
        String jobId = submit(putDataset("listing", SampleImages.CLASSES, 4), 1, 4);
        follow(jobId);
        JsonNode page = api().get("/v1/training-jobs?state=completed&limit=2").body();
        assertThat(page.get("limit").asInt()).isEqualTo(2);
        assertThat(page.get("items").size()).isBetween(1, 2);
        assertThat(page.get("items")).allSatisfy(job -> assertThat(job.get("state").asText()).isEqualTo("completed"));
        assertThat(page.get("total").asInt()).isGreaterThanOrEqualTo(page.get("items").size());
        JsonNode all = api().get("/v1/training-jobs?limit=500").body();
        assertThat(all.get("items")).extracting(job -> job.get("id").asText()).contains(jobId);
        assertThat(api().get("/v1/training-jobs?state=sleeping").status()).isEqualTo(400);
    }

    @Test
    void aCompletedJobNamesItsStoredEpochAndTheModelsEvaluationIsServed() {
        String jobId = submit(putDataset("evaluated", SampleImages.CLASSES, 6), 3, 4);
        assertThat(last(follow(jobId)).get("type").asText()).isEqualTo("completed");

        JsonNode job = api().get("/v1/training-jobs/" + jobId).body();
        ApiClient.Answer evaluation = api().get("/v1/models/" + jobId + "/evaluation");

        assertThat(evaluation.status()).as(evaluation.body().toString()).isEqualTo(200);
        JsonNode report = evaluation.body();
        int bestEpoch = job.get("bestEpoch").asInt();
        assertThat(job.at("/scores/best/epoch").asInt()).isEqualTo(bestEpoch);
        assertThat(job.at("/scores/last/epoch").asInt()).isEqualTo(3);
        assertThat(job.at("/latestMetrics/epoch").asInt()).isEqualTo(3);
        assertThat(report.get("epoch").asInt()).isEqualTo(bestEpoch);
        // Six images of each class: one for test, two for validation, three for training.
        assertThat(report.at("/test/images").asInt()).isEqualTo(2);
        assertThat(report.at("/validation/images").asInt()).isEqualTo(4);
        assertThat(job.at("/scores/best/testAccuracy").asDouble()).isEqualTo(report.at("/test/accuracy").asDouble());
        assertThat(job.at("/scores/best/validationAccuracy").asDouble())
                .isEqualTo(report.at("/validation/accuracy").asDouble());
        assertThat(report.at("/test/calibration/reliability").size()).isEqualTo(15);
        assertThat(report.at("/test/perClass")).extracting(c -> c.get("className").asText())
                .containsExactlyElementsOf(SampleImages.CLASSES);
        assertThat(api().get("/v1/models/job-none/evaluation").status()).isEqualTo(404);
    }

    private static void assertNoModel(String jobId) {
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.modelManifest("default", jobId))))
                .as("model of " + jobId).isFalse();
        assertThat(store().list(store().inDefaultBucket(StorageLayout.modelPrefix("default", jobId)))).isEmpty();
    }
}
