package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Feeds the projection from the events topic. A record that is not an event is dead-lettered by the connector. */
@ApplicationScoped
public class TrainingEventsConsumer {

    @Inject
    JobProjection projection;

    @Inject
    ProjectionCatchUp catchUp;

    @Incoming("training-events")
    public void onEvent(ConsumerRecord<String, String> record) {
        try {
            projection.apply(Messages.fromJson(record.value(), TrainingEvent.class));
        } finally {
            // A dead-lettered record is behind us too.
            catchUp.applied(record.partition(), record.offset());
        }
    }
}
