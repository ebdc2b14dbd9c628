package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.storage.StorageLayout;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.transferlab.stack.SharedStack.api;
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
        assertEveryEpochOnce(events);
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.modelManifest("default", jobId)))).isTrue();
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.checkpoint("default", jobId))))
                .as("the checkpoint is gone once the model is stored").isFalse();
        assertThat(publishedCount(jobId, "completed")).as("completed events on the topic").isEqualTo(1);
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
        assertEveryEpochOnce(events);
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
        assertEveryEpochOnce(events);
        assertThat(store().exists(store().inDefaultBucket(StorageLayout.modelManifest("default", jobId)))).isTrue();
    }

    private static void assertEveryEpochOnce(List<ApiClient.SseEvent> events) {
        assertThat(events).extracting(ApiClient.SseEvent::id).doesNotHaveDuplicates();
        assertThat(events.stream().filter(e -> e.name().equals("epoch-completed"))
                .map(e -> e.data().get("metrics").get("epoch").asInt()).toList())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, EPOCHS).boxed().toList());
    }

    private static void awaitEpoch(String jobId, int epoch) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            JsonNode metrics = api().get("/v1/training-jobs/" + jobId).body().path("latestMetrics");
            if (metrics.path("epoch").asInt() >= epoch) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(jobId + " never reached epoch " + epoch);
    }

    /** Counts what was really published, duplicates included: the projection would hide them. */
    private static long publishedCount(String jobId, String type) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack().infra().kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "faults-it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.TRAINING_EVENTS));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
            while (Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records.stream().filter(r -> jobId.equals(r.key()))
                    .map(r -> Messages.mapper().convertValue(ApiClient.parse(r.value()), JsonNode.class))
                    .filter(e -> type.equals(e.path("type").asText())).count();
        }
    }
}
