package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.commit.KafkaIgnoreCommit;
import io.smallrye.reactive.messaging.kafka.fault.KafkaIgnoreFailure;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers' side of the in-memory channels ({@link InMemoryMessaging}): what the api-service wrote for them, and
 * their events sent to it as the Kafka connector hands them to the batch consumer ({@link TrainingEventsConsumer}):
 * each a batch of one record of the events topic, with the offset the broker would have given it.
 */
final class InMemoryWorker {
    /** A record the api-service wrote: its topic and key, as the Kafka connector would write them, and its value. */
    record Written(String topic, String key, String value) {
    }

    private static final String CHANNEL = "training-events";
    private static final AtomicLong OFFSETS = new AtomicLong();
    private final InMemoryConnector connector;

    InMemoryWorker(InMemoryConnector connector) {
        this.connector = connector;
    }

    /** What the api-service wrote about this job so far, in order: events and commands. */
    List<Written> written(String jobId) {
        return connector.<String>sink(JobTransactions.CHANNEL).received().stream().map(InMemoryWorker::written)
                .filter(w -> w.key().equals(jobId)).toList();
    }

    void send(TrainingEvent event) {
        TopicPartition partition = new TopicPartition(Topics.TRAINING_EVENTS, 0);
        ConsumerRecord<String, String> record = new ConsumerRecord<>(partition.topic(), partition.partition(),
                OFFSETS.getAndIncrement(), event.jobId(), Messages.toJson(event));
        // Nothing to commit (the store keeps the offsets); a nacked record is only logged, there is no dead-letter
        // topic in memory.
        connector.source(CHANNEL).send(new IncomingKafkaRecordBatch<>(
                new ConsumerRecords<>(Map.of(partition, List.of(record)), Map.of()), CHANNEL, -1,
                new KafkaIgnoreCommit(), new KafkaIgnoreFailure(CHANNEL), false, false));
    }

    /** A job of {@code tenant} as another replica's submission makes it: its accepted event on the events topic. */
    void accepted(String jobId, String tenant) {
        send(TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED)
                .request(TrainingRequest.of(jobId, tenant, "datasets/" + tenant + "/d/", BackboneSpec.densenet121(),
                        Hyperparameters.defaults()))
                .build());
    }

    void started(String jobId) {
        send(TrainingEvent.builder(jobId, "default", TrainingEventType.STARTED).run("run-1").message("started")
                .build());
    }

    /** An epoch-completed event whose message is {@code padding} characters long. */
    void epoch(String jobId, int epoch, int epochs, int padding) {
        send(TrainingEvent.builder(jobId, "default", TrainingEventType.EPOCH_COMPLETED)
                .metrics(new EpochMetrics(epoch, epochs, 0.5, 0.4, 0.9, 100, 1, 1e-3)).message("x".repeat(padding))
                .build());
    }

    void completed(String jobId) {
        send(TrainingEvent.builder(jobId, "default", TrainingEventType.COMPLETED)
                .model("model-" + jobId, Map.of("head", "models/default/" + jobId + "/head.params"), 1).build());
    }

    private static Written written(Message<String> message) {
        OutgoingKafkaRecordMetadata<?> metadata = message.getMetadata(OutgoingKafkaRecordMetadata.class)
                .orElseThrow();
        return new Written(metadata.getTopic(), String.valueOf(metadata.getKey()), message.getPayload());
    }
}
