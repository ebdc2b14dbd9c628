package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.CloudEventAttributes;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes a job's event and its command for the workers in one Kafka transaction, so that a job is submitted (or a
 * cancellation asked for) entirely or not at all: every reader of the events and command topics reads committed
 * records only ({@code isolation.level=read_committed}), so nobody ever sees an accepted job without its command, or
 * a command without its accepted event. Every kind of job submits through here.
 * <p>
 * Transactions rather than an accepted event derived from the command: the events topic stays the one ordered history
 * of a job (its accepted event before any worker's event, since a worker sees the command only once both are
 * committed), and nothing else has to read the command topics.
 */
@ApplicationScoped
public class JobTransactions {
    /** The transactional producer's channel; each record names its own topic. */
    static final String CHANNEL = "job-records";
    private static final long LOCK_TIMEOUT_MS = 30_000;

    @Inject
    @Channel(CHANNEL)
    KafkaTransactions<String> transactions;

    @Inject
    Vertx vertx;

    /** The job's event on the events topic and its command on {@code commandTopic}, both keyed by the job's id. */
    public Uni<Void> publish(TrainingEvent event, String commandTopic, Object command) {
        // One producer runs one transaction at a time, and KafkaTransactions refuses a second one while the first is
        // open rather than waiting for it: concurrent submissions of this replica take turns.
        return vertx.sharedData().getLocalLockWithTimeout(CHANNEL, LOCK_TIMEOUT_MS)
                .chain(lock -> transactions.withTransaction(tx -> {
                    records(event, commandTopic, command).forEach(tx::send);
                    return Uni.createFrom().voidItem();
                }).eventually(lock::release));
    }

    /** The event, then the command: what one transaction writes. */
    static List<Message<String>> records(TrainingEvent event, String commandTopic, Object command) {
        return List.of(record(event.jobId(), Topics.TRAINING_EVENTS, Messages.toJson(event))
                        .addMetadata(cloudEvent(CloudEventAttributes.of(event, "api-service"))),
                record(event.jobId(), commandTopic, Messages.toJson(command)));
    }

    /** Written by the connector as the Kafka binding's binary mode: {@code ce_*} headers. */
    static OutgoingCloudEventMetadata<String> cloudEvent(CloudEventAttributes ce) {
        return OutgoingCloudEventMetadata.<String>builder().withId(ce.id()).withSource(ce.source())
                .withType(ce.type()).withSubject(ce.subject()).withDataContentType(ce.dataContentType())
                .withTimestamp(ce.time().atZone(ZoneOffset.UTC)).build();
    }

    private static Message<String> record(String key, String topic, String value) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key).withTopic(topic).build());
    }
}
