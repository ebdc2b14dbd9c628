package dev.transferlab.api.jobs;

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
    TrainingJobs trainingJobs;

    @Inject
    Models models;

    public Uni<BatchPredictionView> submit(String modelId, BatchPredictionSubmission submission, Caller caller) {
        String tenant = caller.tenant();
        models.manifest(tenant, modelId);
        String input = trainingJobs.location(submission.dataset(), submission.datasetId(), tenant);
        String jobId = "batch-" + UUID.randomUUID();
        BatchPredictionRequest request = BatchPredictionRequest.of(jobId, tenant, modelId, input,
                submission.datasetId());
        TrainingEvent accepted = TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED)
                .batchPrediction(request).message("queued for a worker").build();
        return trainingJobs.inSlot(tenant, () -> trainingJobs.record(accepted, Topics.BATCH_PREDICTION_REQUESTS,
                        request, caller, JobKind.BATCH_PREDICTION.action("submitted"),
                        Map.of("model", modelId, "dataset", input))
                .map(BatchPredictionView::of));
    }
}
