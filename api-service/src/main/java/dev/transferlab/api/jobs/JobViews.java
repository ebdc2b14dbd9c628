package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How one event moves a job's view forward. Pure, so it is tested without a broker. */
final class JobViews {
    private JobViews() {
    }

    /**
     * The view after this event.
     *
     * @throws UnfitEventException when the event does not fit the job as it is (or its absence): the view is then
     *                             unchanged, and the consumer dead-letters the event with this reason
     */
    static JobView next(JobView previous, TrainingEvent e, long eventCount) {
        requireFit(previous, e);
        BatchPredictionRequest batch = e.batchPrediction();
        SweepRequest sweep = e.sweep();
        JobView v = previous != null ? previous : new JobView(e.jobId(), e.tenant(), JobState.QUEUED, "queued",
                batch != null ? batch.input() : sweep != null ? sweep.dataset() : null,
                batch != null ? batch.datasetId() : sweep != null ? sweep.datasetId() : null,
                sweep != null ? sweep.backbone() : null, sweep != null ? sweep.base() : null,
                e.timestamp(), e.timestamp(), null, null, null, null, null, null, null, false, 0, null, batch, sweep,
                sweep != null ? List.of() : null);
        TrainingRequest request = e.request();
        JobState state = switch (e.type()) {
            // Its worker shut down; the command goes to another worker, which resumes the job from its checkpoint.
            case ACCEPTED, RELEASED -> JobState.QUEUED;
            case CANCEL_REQUESTED -> v.state();
            case STARTED, RESUMED, EXTRACTION_PROGRESS, FEATURE_CACHE_HIT, LEARNABILITY_BASELINE, EPOCH_COMPLETED,
                 CHECKPOINTED, TRIAL_COMPLETED -> JobState.RUNNING;
            case COMPLETED -> JobState.COMPLETED;
            case FAILED -> JobState.FAILED;
            case CANCELLED -> JobState.CANCELLED;
        };
        String phase = switch (e.type()) {
            case ACCEPTED -> "queued";
            case STARTED -> e.message() != null ? e.message() : "started";
            case RESUMED -> "resumed after epoch " + e.epoch();
            case RELEASED -> e.epoch() != null && e.epoch() > 0
                    ? "waiting for a worker: released after epoch " + e.epoch() + " by a worker that shut down"
                    : "waiting for a worker: released by a worker that shut down";
            case EXTRACTION_PROGRESS -> v.kind() == JobKind.BATCH_PREDICTION ? predicting(e.extraction())
                    : extracting(e.extraction());
            case FEATURE_CACHE_HIT -> "features from the cache";
            case EPOCH_COMPLETED -> "epoch " + e.metrics().epoch() + " of " + e.metrics().epochs();
            case TRIAL_COMPLETED -> (v.trials().size() + 1) + " trials finished";
            case CHECKPOINTED, CANCEL_REQUESTED, LEARNABILITY_BASELINE -> v.phase();
            case COMPLETED, FAILED, CANCELLED -> e.type().wireName();
        };
        return new JobView(v.id(), v.tenant(), state, phase,
                request != null ? request.dataset() : v.dataset(),
                request != null ? request.datasetId() : v.datasetId(),
                request != null ? request.backbone() : v.backbone(),
                request != null ? request.hyperparameters() : v.hyperparameters(),
                v.submittedAt(), e.timestamp(),
                e.metrics() != null ? e.metrics() : v.latestMetrics(),
                e.extraction() != null ? e.extraction() : v.extraction(),
                e.modelId() != null ? e.modelId() : v.modelId(),
                e.bestEpoch() != null ? e.bestEpoch() : v.bestEpoch(),
                e.scores() != null ? e.scores() : v.scores(),
                e.baseline() != null ? e.baseline() : v.baseline(),
                e.reason() != null ? e.reason() : v.reason(),
                v.cancelRequested() || e.type() == TrainingEventType.CANCEL_REQUESTED,
                eventCount, request != null && request.featuresOnlyOrDefault() ? Boolean.TRUE : v.featuresOnly(),
                v.batchPrediction(), v.sweep(), withTrial(v.trials(), e.trial()));
    }

    private static List<SweepTrial> withTrial(List<SweepTrial> trials, SweepTrial trial) {
        if (trial == null) {
            return trials;
        }
        List<SweepTrial> more = new ArrayList<>(trials);
        more.add(trial);
        return List.copyOf(more);
    }

    private static void requireFit(JobView job, TrainingEvent e) {
        require(e.eventId(), "eventId", e);
        require(e.jobId(), "jobId", e);
        require(e.tenant(), "tenant", e);
        require(e.type(), "type", e);
        require(e.timestamp(), "timestamp", e);
        String what = e.type().wireName() + " event " + e.eventId();
        if (job == null && e.type() != TrainingEventType.ACCEPTED) {
            throw new UnfitEventException(what + " is for job " + e.jobId() + ", which was never accepted");
        }
        if (job != null && e.type() == TrainingEventType.ACCEPTED) {
            throw new UnfitEventException(what + ": job " + e.jobId() + " was accepted already");
        }
        if (job != null && !job.tenant().equals(e.tenant())) {
            throw new UnfitEventException(what + " names tenant " + e.tenant() + ", but job " + e.jobId()
                    + " belongs to another tenant");
        }
        // A cancellation may cross the job's end on its way; it changes nothing then.
        if (job != null && job.isTerminal() && e.type() != TrainingEventType.CANCEL_REQUESTED) {
            throw new UnfitEventException(what + " comes after job " + e.jobId() + " ended ("
                    + job.state().wireName() + ")");
        }
        switch (e.type()) {
            case ACCEPTED -> {
                if (e.batchPrediction() != null) {
                    if (e.request() != null || !e.jobId().equals(e.batchPrediction().jobId())
                            || !e.tenant().equals(e.batchPrediction().tenant())) {
                        throw new UnfitEventException(what + " carries a batch prediction of another job or tenant ("
                                + e.batchPrediction().jobId() + ", " + e.batchPrediction().tenant()
                                + "), or a training request too");
                    }
                    return;
                }
                if (e.sweep() != null) {
                    if (e.request() != null || !e.jobId().equals(e.sweep().jobId())
                            || !e.tenant().equals(e.sweep().tenant())) {
                        throw new UnfitEventException(what + " carries a sweep of another job or tenant ("
                                + e.sweep().jobId() + ", " + e.sweep().tenant() + "), or a training request too");
                    }
                    return;
                }
                require(e.request(), "request", e);
                if (!e.jobId().equals(e.request().jobId()) || !e.tenant().equals(e.request().tenant())) {
                    throw new UnfitEventException(what + " carries the request of another job or tenant ("
                            + e.request().jobId() + ", " + e.request().tenant() + ")");
                }
            }
            case EPOCH_COMPLETED -> {
                require(e.metrics(), "metrics", e);
                // Missing numbers read as 0: an epoch outside 1..epochs is one that was not there.
                if (e.metrics().epoch() < 1 || e.metrics().epoch() > e.metrics().epochs()) {
                    throw new UnfitEventException(what + " names epoch " + e.metrics().epoch() + " of "
                            + e.metrics().epochs());
                }
            }
            case RESUMED -> require(e.epoch(), "epoch", e);
            case TRIAL_COMPLETED -> {
                require(e.trial(), "trial", e);
                if (job.kind() != JobKind.SWEEP) {
                    throw new UnfitEventException(what + ": job " + e.jobId() + " is no sweep");
                }
            }
            default -> {
            }
        }
    }

    private static void require(Object value, String field, TrainingEvent e) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new UnfitEventException("event " + e.eventId() + " of job " + e.jobId() + " has no '" + field
                    + "'");
        }
    }

    private static String predicting(ExtractionProgress p) {
        return p == null ? "predicting" : String.format(Locale.ROOT,
                "predicting: %d of %d images, %.1f images/s, ETA %.0f s", p.done(), p.total(), p.imagesPerSecond(),
                p.etaSeconds());
    }

    private static String extracting(ExtractionProgress p) {
        if (p == null) {
            return "extracting features";
        }
        return String.format(Locale.ROOT, "extracting features: %d of %d images, %.1f images/s, ETA %.0f s", p.done(),
                p.total(), p.imagesPerSecond(), p.etaSeconds());
    }
}
