package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.worker.jobs.BatchPredictionJob;
import dev.transferlab.worker.jobs.Draining;
import dev.transferlab.worker.jobs.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs batch prediction commands on the worker's {@link JobThread}, as {@link TrainingRequestConsumer} runs training
 * ones: an invalid record is dead-lettered, a valid one is acknowledged only when its job has ended, and a job released
 * because this worker shuts down is left unacknowledged, so that the next worker resumes it from the parts of its
 * results already written.
 */
@ApplicationScoped
public class BatchPredictionConsumer {
    private static final Logger LOG = Logger.getLogger(BatchPredictionConsumer.class);

    @Inject
    BatchPredictionJob job;

    @Inject
    JobThread jobThread;

    @Inject
    KafkaEventSink events;

    @Inject
    Draining draining;

    @Incoming("batch-prediction-requests")
    public CompletionStage<Void> onRequest(Message<String> message) {
        BatchPredictionRequest request;
        try {
            request = CommandChecks.valid(Messages.fromJson(message.getPayload(), BatchPredictionRequest.class));
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        return jobThread.run(() -> run(request))
                .thenCompose(settled -> settled ? message.ack() : CompletableFuture.completedFuture(null));
    }

    private boolean run(BatchPredictionRequest request) {
        if (draining.isDraining()) {
            LOG.infof("batch prediction %s: not started, this worker is shutting down", request.jobId());
            return false;
        }
        LOG.infof("batch prediction %s: model %s on %s", request.jobId(), request.modelId(), request.input());
        TrainingJob.Outcome outcome = job.run(request, events);
        LOG.infof("batch prediction %s: %s", request.jobId(), outcome);
        return outcome.settled();
    }
}
