package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneBudget;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.jobs.Draining;
import dev.transferlab.worker.jobs.TrainingJob;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs training commands one at a time on the dedicated "training" pool. A record that is not a valid command is
 * rejected (the connector dead-letters it with the reason); a valid command always ends in an event, even when the
 * job fails. The command is acknowledged (its offset committed) only when the job has ended; a job released because
 * this worker shuts down is neither acknowledged nor rejected, so that the worker the partition goes to next gets it
 * again and resumes it from its checkpoint.
 */
@ApplicationScoped
public class TrainingRequestConsumer {
    private static final Logger LOG = Logger.getLogger(TrainingRequestConsumer.class);

    @Inject
    TrainingJob trainingJob;

    @Inject
    KafkaEventSink events;

    @Inject
    WorkerMetrics metrics;

    @Inject
    Draining draining;

    @ConfigProperty(name = "transferlab.backbone.max-parameters")
    long maxParameters;

    @ConfigProperty(name = "transferlab.backbone.max-gflops")
    double maxGflops;

    @Incoming("training-requests")
    @Blocking("training")
    public CompletionStage<Void> onRequest(Message<String> message) {
        TrainingRequest request;
        try {
            request = CommandChecks.valid(Messages.fromJson(message.getPayload(), TrainingRequest.class),
                    new BackboneBudget(maxParameters, maxGflops * 1e9));
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        if (draining.isDraining()) {
            // Received while this worker shuts down (it was waiting in the connector's buffer): left for the next one.
            LOG.infof("job %s: not started, this worker is shutting down", request.jobId());
            metrics.jobEnded(TrainingJob.Outcome.NOT_STARTED);
            return CompletableFuture.completedFuture(null);
        }
        LOG.infof("job %s: training on %s", request.jobId(), request.dataset());
        TrainingJob.Outcome outcome = trainingJob.run(request, events);
        LOG.infof("job %s: %s", request.jobId(), outcome);
        metrics.jobEnded(outcome);
        if (!outcome.settled()) {
            return CompletableFuture.completedFuture(null);
        }
        return message.ack();
    }
}
