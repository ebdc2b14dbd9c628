package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.worker.jobs.Draining;
import dev.transferlab.worker.jobs.SweepJob;
import dev.transferlab.worker.jobs.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs sweep commands on the worker's {@link JobThread}, as {@link BatchPredictionConsumer} runs batch predictions: a
 * record without the ids a job needs is dead-lettered, a valid one is acknowledged only when its sweep has ended, and
 * a sweep released because this worker shuts down is left unacknowledged for the next worker, which skips the trials
 * already recorded. A sweep whose search space cannot run ends in a failed event that says why.
 */
@ApplicationScoped
public class SweepConsumer {
    private static final Logger LOG = Logger.getLogger(SweepConsumer.class);

    @Inject
    SweepJob job;

    @Inject
    JobThread jobThread;

    @Inject
    KafkaEventSink events;

    @Inject
    Draining draining;

    @Incoming("sweep-requests")
    public CompletionStage<Void> onRequest(Message<String> message) {
        SweepRequest request;
        try {
            request = Messages.fromJson(message.getPayload(), SweepRequest.class);
            Ids.require("jobId", request.jobId());
            Ids.require("tenant", request.tenant());
            if (request.dataset() == null || request.backbone() == null) {
                throw new IllegalArgumentException("a sweep command needs its dataset and backbone");
            }
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        return jobThread.run(() -> run(request))
                .thenCompose(settled -> settled ? message.ack() : CompletableFuture.completedFuture(null));
    }

    private boolean run(SweepRequest request) {
        if (draining.isDraining()) {
            LOG.infof("sweep %s: not started, this worker is shutting down", request.jobId());
            return false;
        }
        LOG.infof("sweep %s: %d trials on %s", request.jobId(), request.maxTrials(), request.dataset());
        TrainingJob.Outcome outcome = job.run(request, events);
        LOG.infof("sweep %s: %s", request.jobId(), outcome);
        return outcome.settled();
    }
}
