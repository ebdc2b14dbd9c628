package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Feeds the projection from the events topic. A record that is not an event is dead-lettered by the connector. */
@ApplicationScoped
public class TrainingEventsConsumer {

    @Inject
    JobProjection projection;

    @Incoming("training-events")
    public void onEvent(String json) {
        projection.apply(Messages.fromJson(json, TrainingEvent.class));
    }
}
