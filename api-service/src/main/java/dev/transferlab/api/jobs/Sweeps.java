package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.Caller;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Submitting sweeps: checked against the same plan the worker will run ({@link SweepPlan}), so a bad search space is a
 * 400 here rather than a failed job; then the accepted event and the command, under the active-jobs quota and the
 * idempotency key as a training job's. A sweep is cancelled by {@link TrainingJobs#cancel}.
 */
@ApplicationScoped
public class Sweeps {

    @Inject
    TrainingJobs trainingJobs;

    public Uni<TrainingJobs.Submitted> submit(SweepSubmission submission, Caller caller, String idempotencyKey) {
        String tenant = caller.tenant();
        TrainingJobSubmission base = submission.base();
        String jobId = "sweep-" + UUID.randomUUID();
        SweepRequest request = SweepRequest.of(jobId, tenant,
                trainingJobs.location(base.dataset(), base.datasetId(), tenant), base.datasetId(),
                base.backboneSpec(), base.preprocessingSpec(), base.hyperparameters(), submission.space(),
                submission.strategy(), submission.maxTrials(), submission.metric());
        int trials = SweepPlan.trials(request).size();
        String hash = idempotencyKey == null ? null : TrainingJobs.sha256(Messages.toJson(List.of(request.dataset(),
                request.backbone(), request.preprocessingOrDefault(), request.base(), request.space(),
                request.strategy(), request.maxTrials(), request.metricOrDefault())));
        SweepRequest accepted = idempotencyKey == null ? request : request.withIdempotency(idempotencyKey, hash);
        return trainingJobs.once(tenant, idempotencyKey, hash, () -> {
            TrainingEvent acceptedEvent = TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED)
                    .sweep(accepted).message("queued for a worker: " + trials + " trials").build();
            return trainingJobs.record(acceptedEvent, Topics.SWEEP_REQUESTS, accepted, caller,
                    JobKind.SWEEP.action("submitted"),
                    Map.of("dataset", accepted.dataset(), "trials", String.valueOf(trials)));
        });
    }
}
