package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.CloudEventAttributes;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.worker.jobs.EventSink;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.ZoneOffset;

/**
 * Publishes a job's events keyed by job id, waiting for the broker's ack so events leave in order. Each record carries
 * its CloudEvents attributes as {@code ce_*} headers (the connector's binary mode).
 */
@ApplicationScoped
public class KafkaEventSink implements EventSink {

    @Inject
    @Channel("training-events")
    MutinyEmitter<String> emitter;

    @Override
    public void publish(TrainingEvent event) {
        CloudEventAttributes ce = CloudEventAttributes.of(event, "trainer-worker");
        emitter.sendMessageAndAwait(Message.of(Messages.toJson(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.jobId()).build())
                .addMetadata(OutgoingCloudEventMetadata.<String>builder().withId(ce.id()).withSource(ce.source())
                        .withType(ce.type()).withSubject(ce.subject()).withDataContentType(ce.dataContentType())
                        .withTimestamp(ce.time().atZone(ZoneOffset.UTC)).build()));
    }
}
