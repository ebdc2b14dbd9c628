package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.transferlab.stack.SharedStack.api;
import static dev.transferlab.stack.SharedStack.assertEveryEpochOnce;
import static dev.transferlab.stack.SharedStack.awaitEpoch;
import static dev.transferlab.stack.SharedStack.follow;
import static dev.transferlab.stack.SharedStack.last;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.stack;
import static dev.transferlab.stack.SharedStack.store;
import static dev.transferlab.stack.SharedStack.submit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Machines fail: a worker is killed mid-epoch, the api-service restarts, the broker and the object store go away
 * for a while. Each time the job still completes exactly once and the stream shows every epoch once.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FaultsIT {
    private static final int EPOCHS = 150;

    @Test
    void aWorkerKilledMidEpochIsReplacedAndTheJobResumesAndCompletesOnce() throws Exception {
        String jobId = submit(putDataset("kill-worker", SampleImages.CLASSES, 6), EPOCHS, 2);
        awaitEpoch(jobId, 20);
        stack().worker().kill();
        stack().worker().start();

        List<ApiClient.SseEvent> events = follow(jobId);
        assertThat(last(events).get("type").asText()).isEqualTo("completed");
        assertThat(events).extracting(ApiClient.SseEvent::name).contains("resumed");
        assertEveryEpochOnce(events, EPOCHS);
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.modelManifest("default", jobId)))).isTrue();
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.checkpoint("default", jobId))))
                .as("the checkpoint is gone once the model is stored").isFalse();
        assertThat(RawKafka.published(jobId, "completed")).as("completed events on the topic").isEqualTo(1);
    }

    @Test
    void theApiServiceRestartsMidJobAndItsStateAndStreamCarryOn() throws Exception {
        String jobId = submit(putDataset("restart-api", SampleImages.CLASSES, 6), EPOCHS, 2);
        awaitEpoch(jobId, 10);
        stack().api().close();
        stack().api().start();

        JsonNode job = api().get("/v1/training-jobs/" + jobId).body();
        assertThat(job.get("state").asText()).isIn("running", "completed");
        assertThat(job.get("dataset").asText()).contains("restart-api");
        List<ApiClient.SseEvent> events = follow(jobId);
        assertThat(events).extracting(ApiClient.SseEvent::name).first().isEqualTo("accepted");
        assertThat(last(events).get("type").asText()).isEqualTo("completed");
        assertEveryEpochOnce(events, EPOCHS);
    }

    @Test
    void theBrokerAndTheObjectStoreGoAwayForAWhileAndTheJobCompletes() throws Exception {
        String jobId = submit(putDataset("restart-infra", SampleImages.CLASSES, 6), EPOCHS, 2);
        awaitEpoch(jobId, 10);
        stack().infra().stop();
        Thread.sleep(8_000);
        stack().infra().restart();

        List<ApiClient.SseEvent> events = follow(jobId);
        assertThat(last(events).get("type").asText()).isEqualTo("completed");
        assertEveryEpochOnce(events, EPOCHS);
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.modelManifest("default", jobId)))).isTrue();
    }
}
