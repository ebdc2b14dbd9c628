package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.jobs.TrainingJob;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Runs training commands one at a time on the dedicated "training" pool. A record that is not a valid command is
 * rejected (the connector dead-letters it with the reason); a valid command always ends in an event, even when the
 * job fails.
 */
@ApplicationScoped
public class TrainingRequestConsumer {
    private static final Logger LOG = Logger.getLogger(TrainingRequestConsumer.class);

    @Inject
    TrainingJob trainingJob;

    @Inject
    KafkaEventSink events;

    @Incoming("training-requests")
    @Blocking("training")
    public void onRequest(String json) {
        TrainingRequest request = CommandChecks.valid(Messages.fromJson(json, TrainingRequest.class));
        LOG.infof("job %s: training on %s", request.jobId(), request.dataset());
        TrainingJob.Outcome outcome = trainingJob.run(request, events);
        LOG.infof("job %s: %s", request.jobId(), outcome);
    }
}
