package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.AuditTrail;
import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.models.Models;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.UUID;

/**
 * Submitting batch prediction jobs: the accepted event and the command in one transaction, as {@link TrainingJobs}
 * does, and under the same active-jobs quota; a batch job is cancelled by {@link TrainingJobs#cancel}, as the workers
 * stop both kinds of job by one control topic.
 */
@ApplicationScoped
public class BatchPredictions {

    @Inject
    JobTransactions transactions;

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
        return trainingJobs.inSlot(tenant, () -> transactions.publish(accepted, Topics.BATCH_PREDICTION_REQUESTS, request)
                .invoke(() -> projection.apply(accepted))
                .map(ignored -> BatchPredictionView.of(projection.view(jobId).orElseThrow()))
                .call(job -> audit.record(caller, "batch-prediction.submitted", jobId,
                        Map.of("model", modelId, "dataset", input))));
    }
}
