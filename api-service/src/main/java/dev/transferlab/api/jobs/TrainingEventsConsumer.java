package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * Feeds the projection from the events topic. A record that is not an event, or an event that does not fit its job,
 * is nacked rather than thrown: the connector dead-letters it with the reason, and the log gets one line for it
 * instead of the stack trace it writes for a method that throws.
 */
@ApplicationScoped
public class TrainingEventsConsumer {

    @Inject
    JobProjection projection;

    @Inject
    ProjectionCatchUp catchUp;

    @Incoming("training-events")
    public CompletionStage<Void> onEvent(Message<String> message) {
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("training-events records come from Kafka"));
        try {
            projection.apply(Messages.fromJson(message.getPayload(), TrainingEvent.class));
            return message.ack();
        } catch (MalformedMessageException | UnfitEventException e) {
            return message.nack(e);
        } finally {
            // A dead-lettered record is behind us too.
            catchUp.applied(record.getPartition(), record.getOffset());
        }
    }
}
