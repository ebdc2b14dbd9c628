package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static dev.transferlab.stack.SharedStack.api;
import static dev.transferlab.stack.SharedStack.follow;
import static dev.transferlab.stack.SharedStack.last;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Batch prediction jobs through the API: submit, follow, download, cancel, and tenants kept apart. */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BatchPredictionsIT {
    private static final int PER_CLASS = 4;
    private static String dataset;
    private static String modelId;

    @BeforeAll
    static void trainAModel() {
        dataset = putDataset("batch-pets", SampleImages.CLASSES, PER_CLASS, 7_000);
        String job = submit(dataset, 2, 4);
        JsonNode completed = last(follow(job));
        assertThat(completed.get("type").asText()).as(completed.toString()).isEqualTo("completed");
        modelId = completed.get("modelId").asText();
    }

    @Test
    void aJobOverTheModelsOwnDatasetUsesTheCachedFeaturesAndItsResultsMatchSinglePredictions() {
        ApiClient.Answer submitted = api().postJson("/v1/models/" + modelId + "/batch-predictions",
                "{\"dataset\": \"" + dataset + "\"}");
        assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(202);
        String id = submitted.body().get("id").asText();
        assertThat(submitted.body().get("state").asText()).isEqualTo("queued");
        assertThat(submitted.body().get("modelId").asText()).isEqualTo(modelId);
        assertThat(submitted.location()).endsWith("/v1/batch-predictions/" + id);
        assertThat(submitted.body().get("links").get("events").asText()).isEqualTo("/v1/batch-predictions/" + id
                + "/events");

        List<ApiClient.SseEvent> events = followBatch(id, null);
        assertThat(last(events).get("type").asText()).as(last(events).toString()).isEqualTo("completed");
        assertThat(events).extracting(ApiClient.SseEvent::name).contains("feature-cache-hit", "extraction-progress");
        JsonNode progress = events.stream().filter(e -> e.name().equals("extraction-progress")).reduce((a, b) -> b)
                .orElseThrow().data().get("extraction");
        assertThat(progress.get("done").asInt()).isEqualTo(progress.get("total").asInt()).isEqualTo(2 * PER_CLASS);
        assertThat(followBatch(id, events.get(0).id())).as("resumed after the first event")
                .extracting(ApiClient.SseEvent::id).containsExactlyElementsOf(events.subList(1, events.size())
                        .stream().map(ApiClient.SseEvent::id).toList());
        JsonNode view = api().get("/v1/batch-predictions/" + id).body();
        assertThat(view.get("state").asText()).isEqualTo("completed");
        assertThat(view.get("links").has("results.csv")).isTrue();

        List<JsonNode> lines = api().text("/v1/batch-predictions/" + id + "/results.jsonl").lines()
                .map(ApiClient::parse).toList();
        assertThat(lines).hasSize(2 * PER_CLASS).extracting(l -> l.get("path").asText()).doesNotHaveDuplicates();
        for (JsonNode line : lines) {
            double sum = StreamSupport.stream(line.get("probabilities").spliterator(), false)
                    .mapToDouble(JsonNode::asDouble).sum();
            assertThat(sum).as(line.toString()).isCloseTo(1.0, within(1e-5));
        }
        for (int i : new int[]{0, 3}) {
            String label = SampleImages.CLASSES.get(i % 2);
            int seed = 7_000 + i;
            JsonNode line = lines.stream().filter(l -> l.get("path").asText().equals("train/" + label + "/" + i
                    + ".png")).findFirst().orElseThrow();
            JsonNode single = api().postBytes("/v1/models/" + modelId + "/predictions", SampleImages.png(label, seed),
                    "image/png").body();
            assertThat(line.get("label").asText()).as(single.toString()).isEqualTo(single.get("label").asText());
            assertThat(line.get("probabilities").get(single.get("label").asText()).asDouble())
                    .isCloseTo(single.get("probability").asDouble(), within(1e-4));
        }

        String[] csv = api().text("/v1/batch-predictions/" + id + "/results.csv").split("\r\n");
        assertThat(csv[0]).isEqualTo("path,label," + String.join(",", SampleImages.CLASSES) + ",error");
        assertThat(csv).hasSize(2 * PER_CLASS + 1);

        // A trainer of another tenant (the shared client is an admin, who sees every tenant).
        ApiClient other = SharedStack.stack().apiAs(DemoRealm.BOB);
        assertThat(other.get("/v1/batch-predictions/" + id).status()).isEqualTo(404);
        assertThat(other.get("/v1/batch-predictions/" + id + "/results.jsonl").status()).isEqualTo(404);
        assertThat(other.delete("/v1/batch-predictions/" + id).status()).isEqualTo(404);
        assertThat(other.postJson("/v1/models/" + modelId + "/batch-predictions", "{\"dataset\": \"" + dataset
                + "\"}").status()).as("another tenant's model").isEqualTo(404);
        assertThat(api().get("/v1/training-jobs/" + id).status()).as("not a training job").isEqualTo(404);
    }

    @Test
    void aRunningJobIsCancelledAtABatchBoundaryAndHasNoResults() throws InterruptedException {
        // Cold features of many images, so that the job is still running when the cancellation arrives.
        String many = putDataset("batch-many", SampleImages.CLASSES, 200, 50_000);
        ApiClient.Answer submitted = api().postJson("/v1/models/" + modelId + "/batch-predictions",
                "{\"dataset\": \"" + many + "\"}");
        assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(202);
        String id = submitted.body().get("id").asText();
        awaitPhase(id, "predicting");
        ApiClient.Answer cancel = api().postJson("/v1/batch-predictions/" + id + "/cancel", "");
        assertThat(cancel.status()).as(cancel.body().toString()).isEqualTo(202);
        assertThat(cancel.body().get("cancelRequested").asBoolean()).isTrue();

        List<ApiClient.SseEvent> events = followBatch(id, null);
        assertThat(last(events).get("type").asText()).isEqualTo("cancelled");
        assertThat(events).extracting(ApiClient.SseEvent::name).doesNotContain("completed");
        assertThat(api().get("/v1/batch-predictions/" + id + "/results.csv").status()).isEqualTo(409);
        assertThat(api().delete("/v1/batch-predictions/" + id).status()).as("cancelling an ended job")
                .isEqualTo(409);
    }

    @Test
    void aDatasetOutsideTheTenantsAreasOrAnUnknownModelIsRefused() {
        assertThat(api().postJson("/v1/models/" + modelId + "/batch-predictions",
                "{\"dataset\": \"s3://" + Stack.BUCKET + "/datasets/globex/x/\"}").status()).isEqualTo(404);
        assertThat(api().postJson("/v1/models/no-such-model/batch-predictions",
                "{\"dataset\": \"" + dataset + "\"}").status()).isEqualTo(404);
        assertThat(api().postJson("/v1/models/" + modelId + "/batch-predictions", "{}").status()).isEqualTo(400);
    }

    private static List<ApiClient.SseEvent> followBatch(String id, String lastEventId) {
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api().followEventsAt("/v1/batch-predictions/" + id + "/events", lastEventId, events::add);
        return events;
    }

    private static void awaitPhase(String id, String phasePrefix) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            if (api().get("/v1/batch-predictions/" + id).body().path("phase").asText().startsWith(phasePrefix)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " never reached phase '" + phasePrefix + "'");
    }
}
