package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers' side of the in-memory channels ({@link InMemoryMessaging}): what the api-service wrote for them, and
 * their events sent to it as records of the events topic, each with the offset the broker would have given it.
 */
final class InMemoryWorker {
    /** A record the api-service wrote: its topic and key, as the Kafka connector would write them, and its value. */
    record Written(String topic, String key, String value) {
    }

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
        String json = Messages.toJson(event);
        ConsumerRecord<String, String> record = new ConsumerRecord<>(Topics.TRAINING_EVENTS, 0,
                OFFSETS.getAndIncrement(), event.jobId(), json);
        connector.source("training-events").send(Message.of(json)
                .addMetadata(new IncomingKafkaRecordMetadata<>(record, "training-events")));
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
