package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.AuditTrail;
import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.auth.QuotaSettings;
import dev.transferlab.api.datasets.DatasetManifests;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.DatasetAccess;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Submitting and cancelling jobs. Every change is an event on the events topic, keyed by job id, so all replicas
 * see the same history; each is written with its command for the workers in one transaction ({@link JobTransactions}).
 */
@ApplicationScoped
public class TrainingJobs {

    @Inject
    JobTransactions transactions;

    @Inject
    JobProjection projection;

    @Inject
    DatasetManifests datasets;

    @Inject
    DatasetAccess access;

    @Inject
    QuotaSettings quotas;

    @Inject
    AuditTrail audit;

    private static final Duration RETRY_JOB_AFTER = Duration.ofSeconds(30);

    /** Keys being submitted on this replica right now, so two concurrent retries create one job. */
    private final Map<String, String> inFlightKeys = new ConcurrentHashMap<>();
    /** Per tenant, submissions on this replica whose accepted event is not in the store yet. */
    private final Map<String, Integer> submitting = new ConcurrentHashMap<>();

    /**
     * How long a submission's or a cancel's worker thread waits for its transaction and audit record. Those endpoints
     * run on a worker thread (the submit endpoints look up object storage anyway); waiting there, rather than handing
     * RESTEasy a Uni that completes on a Kafka thread, keeps the request's scope on one thread (a suspended request
     * resumed from the producer's thread failed with ContextNotActiveException: 500s in SweepsIT).
     */
    public static final Duration SUBMIT_WAIT = Duration.ofSeconds(60);

    /** A submission's outcome: the job, and whether this call created it or found it under its idempotency key. */
    public record Submitted(JobView job, boolean created) {
    }

    public Uni<Submitted> submit(TrainingJobSubmission submission, Caller caller, String idempotencyKey) {
        String tenant = caller.tenant();
        String weights = submission.backboneSpec().weights();
        access.weightsRefusal(tenant, weights).ifPresent(reason -> {
            throw ProblemException.badField(404, "Not Found", "backbone.weights", reason);
        });
        String jobId = "job-" + UUID.randomUUID();
        TrainingRequest request = TrainingRequest.of(jobId, tenant,
                location(submission.dataset(), submission.datasetId(), tenant),
                submission.datasetId(), submission.backboneSpec(), submission.hyperparameters(),
                submission.preprocessingSpec());
        if (Boolean.TRUE.equals(submission.featuresOnly())) {
            request = request.asFeaturesOnly();
        }
        String hash = idempotencyKey == null ? null : sha256(Messages.toJson(java.util.List.of(request.dataset(),
                request.backbone(), request.hyperparameters(), request.preprocessingOrDefault(),
                request.featuresOnlyOrDefault())));
        TrainingRequest accepted = idempotencyKey == null ? request : request.withIdempotency(idempotencyKey, hash);
        return once(tenant, idempotencyKey, hash, () -> {
            TrainingEvent acceptedEvent = TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED)
                    .request(accepted).message("queued for a worker").build();
            return record(acceptedEvent, Topics.TRAINING_REQUESTS, accepted, caller,
                    JobKind.TRAINING.action("submitted"), Map.of("dataset", accepted.dataset()));
        });
    }

    /**
     * Writes a job's event with its command for the workers in one transaction, applies the event here so this
     * replica reads its own write, and audits the caller's action: the one way every submission and cancel is made.
     *
     * @return the job as the event left it (by the time the audit record is written, a worker may have moved it on)
     */
    Uni<JobView> record(TrainingEvent event, String commandTopic, Object command, Caller caller, String action,
                        Map<String, String> details) {
        return transactions.publish(event, commandTopic, command)
                // The store is written over JDBC, which blocks: not on the producer's or an event loop's thread.
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> projection.apply(event))
                .map(ignored -> projection.view(event.jobId()).orElseThrow())
                .call(job -> audit.record(caller, action, event.jobId(), details));
    }

    /**
     * Creates a job under the tenant's active-jobs quota, once per idempotency key: a retry with the same key and the
     * same submission (its normalised form's {@code hash}) gets the job the first one created, one with the same key
     * and another submission a 409. For training jobs and sweeps alike.
     *
     * @param idempotencyKey null: none was sent, and every call creates a job
     */
    Uni<Submitted> once(String tenant, String idempotencyKey, String hash,
                        Supplier<Uni<? extends JobView>> create) {
        if (idempotencyKey != null) {
            JobStore.Keyed earlier = projection.byIdempotencyKey(tenant, idempotencyKey).orElse(null);
            if (earlier != null) {
                return Uni.createFrom().item(existing(earlier, hash, idempotencyKey));
            }
            if (inFlightKeys.putIfAbsent(tenant + "\u0000" + idempotencyKey, hash) != null) {
                throw new ProblemException(Response.Status.CONFLICT, "a request with Idempotency-Key '"
                        + idempotencyKey + "' is being processed; retry shortly");
            }
        }
        try {
            reserveSlot(tenant);
        } catch (ProblemException e) {
            release(tenant, idempotencyKey, false);
            throw e;
        }
        return Uni.createFrom().<JobView>deferred(create)
                .eventually(() -> release(tenant, idempotencyKey, true))
                .map(job -> new Submitted(job, true));
    }

    /**
     * Sends a submission of another kind of job (a batch prediction) under the same active-jobs quota: both kinds
     * hold a worker's one job slot, so both count.
     */
    <T> Uni<T> inSlot(String tenant, Supplier<Uni<? extends T>> submission) {
        reserveSlot(tenant);
        return Uni.createFrom().deferred(submission).eventually(() -> release(tenant, null, true));
    }

    /**
     * Counts this submission against the tenant's queued and running jobs, or refuses it with 429: a slot frees when
     * one of them ends, which the store sees from its terminal event.
     */
    private void reserveSlot(String tenant) {
        int limit = quotas.activeJobs(tenant);
        submitting.compute(tenant, (t, inFlight) -> {
            int pending = inFlight == null ? 0 : inFlight;
            long active = projection.store().active(t).size();
            if (active + pending >= limit) {
                throw ProblemException.quotaExceeded("tenant '" + t + "' has " + active + " queued or running"
                        + " jobs (training and batch prediction), its quota (transferlab.quotas.active-jobs) is "
                        + limit + "; submit again when one of them has ended, or cancel one", RETRY_JOB_AFTER);
            }
            return pending + 1;
        });
    }

    private void release(String tenant, String idempotencyKey, boolean slot) {
        if (slot) {
            submitting.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
        }
        if (idempotencyKey != null) {
            inFlightKeys.remove(tenant + "\u0000" + idempotencyKey);
        }
    }

    private Submitted existing(JobStore.Keyed earlier, String hash, String key) {
        if (!hash.equals(earlier.submissionSha256())) {
            throw new ProblemException(Response.Status.CONFLICT, "Idempotency-Key '" + key
                    + "' was already used for a different request (job " + earlier.jobId() + ")");
        }
        return new Submitted(projection.view(earlier.jobId()).orElseThrow(), false);
    }

    /**
     * The job, when the caller may see it and it is of this kind. A path that cannot name a job (it breaks the id
     * rule), another tenant's job and another kind of job all answer 404, as an unknown one does, so that ids tell
     * nothing about other tenants.
     */
    public JobView visible(String id, Caller caller, JobKind kind) {
        return (Ids.isValid(id) ? projection.view(id) : Optional.<JobView>empty())
                .filter(job -> caller.sees(job.tenant()) && job.kind() == kind)
                .orElseThrow(() -> ProblemException.notFound(kind.noun(), id));
    }

    /**
     * Asks the workers to stop a job the caller may see. The worker running it stops within one batch; a queued job
     * is cancelled when a worker takes it. Either way the job ends with a cancelled event. Blocks for the transaction,
     * as a submission does ({@link #SUBMIT_WAIT}).
     */
    public JobView cancel(String id, Caller caller, JobKind kind) {
        JobView job = visible(id, caller, kind);
        if (job.isTerminal()) {
            throw new ProblemException(Response.Status.CONFLICT, "job " + id + " already ended: " + job.state()
                    .wireName());
        }
        TrainingEvent requested = TrainingEvent.builder(id, job.tenant(), TrainingEventType.CANCEL_REQUESTED)
                .message("cancellation requested").build();
        return record(requested, Topics.TRAINING_CONTROL, CancelRequest.of(id, job.tenant()), caller,
                kind.action("cancelled"), Map.of()).await().atMost(SUBMIT_WAIT);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A dataset id stands for its manifest's location, so workers read one kind of reference; a location must be one
     * the tenant may read. For training and batch prediction jobs alike.
     */
    String location(String dataset, String datasetId, String tenant) {
        boolean byLocation = dataset != null && !dataset.isBlank();
        if (!byLocation && datasetId == null) {
            throw ProblemException.badField(400, "Bad Request", "dataset",
                    "must be given (a location), or else datasetId");
        }
        if (byLocation && datasetId != null) {
            throw ProblemException.badField(400, "Bad Request", "datasetId", "cannot be given together with dataset");
        }
        if (byLocation) {
            // 404, as for another tenant's job: where a tenant may not read, it learns nothing of what is there.
            access.trainingRefusal(tenant, dataset).ifPresent(reason -> {
                throw ProblemException.badField(404, "Not Found", "dataset", reason
                        + ": train on your own datasets (upload one, or give its datasetId) or on a prefix granted"
                        + " to your tenant");
            });
            return dataset;
        }
        return datasets.find(tenant, datasetId).map(DatasetManifest::location)
                .orElseThrow(() -> ProblemException.badField(404, "Not Found", "datasetId",
                        "names no dataset of tenant '" + tenant + "'"));
    }
}
