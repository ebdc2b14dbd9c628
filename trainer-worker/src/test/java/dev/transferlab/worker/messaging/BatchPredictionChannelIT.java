package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batch prediction commands through the worker's own channel, against a real broker and S3 server: a valid one runs
 * to its results and is committed then; a malformed one is dead-lettered with its reason.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(BatchPredictionChannelIT.RandomWeights.class)
class BatchPredictionChannelIT {
    private static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
    private static final String GROUP = "transferlab-batch-predictions";

    public static class RandomWeights implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("transferlab.backbone.allow-random-weights", "true",
                    "transferlab.batch-predictions.part-size", "3");
        }
    }

    @Test
    void aCommandRunsToItsResultsOverTheCachedFeaturesAndIsCommittedOnceItsJobEnded() throws Exception {
        String dataset = RealBroker.putDataset("datasets/default/channel/", 4);
        send(Topics.TRAINING_REQUESTS, "job-channel", Messages.toJson(TrainingRequest.of("job-channel", "default",
                dataset, TINY, new Hyperparameters(1, 4, 1e-3, 16, 0.25, 1, null))));
        assertThat(last(RealBroker.eventsUntilTheEnd("job-channel")).type()).isEqualTo(TrainingEventType.COMPLETED);

        BatchPredictionRequest request = BatchPredictionRequest.of("batch-channel", "default", "job-channel", dataset,
                null);
        send(Topics.BATCH_PREDICTION_REQUESTS, request.jobId(), Messages.toJson(request));
        List<TrainingEvent> events = RealBroker.eventsUntilTheEnd(request.jobId());

        assertThat(events).extracting(TrainingEvent::type).as(events.toString()).startsWith(TrainingEventType.STARTED,
                TrainingEventType.FEATURE_CACHE_HIT).endsWith(TrainingEventType.COMPLETED);
        assertThat(events.stream().filter(e -> e.type() == TrainingEventType.EXTRACTION_PROGRESS))
                .extracting(e -> e.extraction().done()).containsExactly(3, 6, 8);
        try (ObjectStore store = RealBroker.store()) {
            String jsonl = new String(store.get(store.inDefaultBucket(StorageLayout.batchPredictionResults("default",
                    request.jobId(), "jsonl"))).orElseThrow(), StandardCharsets.UTF_8);
            assertThat(jsonl.lines()).hasSize(8);
        }
        assertThat(committed()).as("the command is acknowledged once its job has ended").isEqualTo(endOffset());
    }

    @Test
    void aCommandForAModelIdThatIsNoIdIsDeadLetteredWithTheReason() throws Exception {
        BatchPredictionRequest bad = BatchPredictionRequest.of("batch-bad", "default", "../globex/job-g",
                "datasets/default/x/", null);
        send(Topics.BATCH_PREDICTION_REQUESTS, bad.jobId(), Messages.toJson(bad));

        try (KafkaConsumer<String, String> consumer = RealBroker.consumer(Topics.DEAD_LETTERS)) {
            Instant giveUp = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (bad.jobId().equals(r.key())) {
                        assertThat(new String(r.headers().lastHeader("dead-letter-reason").value(),
                                StandardCharsets.UTF_8)).startsWith("modelId '../globex/job-g' is not a valid id");
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no dead letter for " + bad.jobId());
    }

    private static void send(String topic, String key, String json) throws Exception {
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(topic, key, json)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The group's committed offsets on the batch topic, summed over its partitions; it commits within a second. */
    private static long committed() throws Exception {
        try (Admin admin = admin()) {
            Instant giveUp = Instant.now().plusSeconds(30);
            long sum = 0;
            while (Instant.now().isBefore(giveUp)) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                sum = offsets.entrySet().stream().filter(e -> e.getKey().topic()
                        .equals(Topics.BATCH_PREDICTION_REQUESTS) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (sum >= endOffset()) {
                    return sum;
                }
                Thread.sleep(200);
            }
            return sum;
        }
    }

    private static long endOffset() throws Exception {
        try (Admin admin = admin()) {
            var partitions = admin.describeTopics(List.of(Topics.BATCH_PREDICTION_REQUESTS)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.BATCH_PREDICTION_REQUESTS).partitions();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(Topics.BATCH_PREDICTION_REQUESTS, p.partition()),
                    OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, RealBroker.infra.kafkaBootstrap()));
    }

    private static TrainingEvent last(List<TrainingEvent> events) {
        return events.get(events.size() - 1);
    }
}
