package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.AuditTrail;
import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.models.Models;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.util.Map;
import java.util.UUID;

/**
 * Submitting batch prediction jobs: the accepted event first, then the command, as {@link TrainingJobs} does, and under the
 * same active-jobs quota; a batch job is cancelled by {@link TrainingJobs#cancel}, as the workers stop both kinds of job by one control topic.
 */
@ApplicationScoped
public class BatchPredictions {

    @Inject
    @Channel("batch-prediction-requests")
    MutinyEmitter<Record<String, String>> requests;

    @Inject
    @Channel("training-events-out")
    MutinyEmitter<Record<String, String>> events;

    @Inject
    JobProjection projection;

    @Inject
    TrainingJobs trainingJobs;

    @Inject
    Models models;

    @Inject
    AuditTrail audit;

    public Uni<BatchPredictionView> submit(String modelId, BatchPredictionSubmission submission, Caller caller) {
        String tenant = caller.tenant();
        models.manifest(tenant, modelId);
        String input = trainingJobs.location(submission.dataset(), submission.datasetId(), tenant);
        String jobId = "batch-" + UUID.randomUUID();
        BatchPredictionRequest request = BatchPredictionRequest.of(jobId, tenant, modelId, input,
                submission.datasetId());
        TrainingEvent accepted = TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED)
                .batchPrediction(request).message("queued for a worker").build();
        return trainingJobs.inSlot(tenant, () -> events.send(Record.of(jobId, Messages.toJson(accepted)))
                .chain(() -> requests.send(Record.of(jobId, Messages.toJson(request))))
                .invoke(() -> projection.apply(accepted))
                .map(ignored -> BatchPredictionView.of(projection.view(jobId).orElseThrow()))
                .call(job -> audit.record(caller, "batch-prediction.submitted", jobId,
                        Map.of("model", modelId, "dataset", input))));
    }
}
