package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.model.ModelScores;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to a training job. Keyed by job id on {@link Topics#TRAINING_EVENTS}, so one job's events
 * stay in order. The id names what happened ({@code <jobId>:epoch-completed:3}), not when it was sent: a worker that
 * resumes a job after a crash, or a redelivered command, produces events with the ids of those already published,
 * and every reader drops them as duplicates. Starting, resuming and releasing are facts of one run of the job on a
 * worker, so their ids also name the run ({@code <jobId>:resumed:3:<run>}): a job handed over twice after the same
 * epoch shows both hand-overs.
 * <p>
 * Batch prediction jobs ({@link BatchPredictionRequest}) have events of the same types: accepted (with
 * {@code batchPrediction} instead of {@code request}), started, extraction-progress (images predicted so far, with
 * rate and ETA; {@code skipped} counts images that failed their own line), feature-cache-hit, released, completed
 * (with the results' locations in {@code artifacts}), failed, cancelled. Sweeps ({@link SweepRequest}) too: accepted
 * with {@code sweep}, one trial-completed with {@code trial} per trial, completed with the best trial's model.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingEvent(
        int schemaVersion,
        TrainingEventType type,
        String eventId,
        String jobId,
        String tenant,
        Instant timestamp,
        String message,
        TrainingRequest request,
        EpochMetrics metrics,
        Integer epoch,
        String modelId,
        Map<String, String> artifacts,
        Integer bestEpoch,
        String reason,
        ExtractionProgress extraction,
        ModelScores scores,
        BatchPredictionRequest batchPrediction,
        LearnabilityBaseline baseline,
        SweepRequest sweep,
        SweepTrial trial) {

    public static Builder builder(String jobId, String tenant, TrainingEventType type) {
        return new Builder(jobId, tenant, type);
    }

    public static final class Builder {
        private final String jobId;
        private final String tenant;
        private final TrainingEventType type;
        private String message;
        private TrainingRequest request;
        private EpochMetrics metrics;
        private Integer epoch;
        private String modelId;
        private Map<String, String> artifacts;
        private Integer bestEpoch;
        private String reason;
        private ExtractionProgress extraction;
        private ModelScores scores;
        private String run;
        private BatchPredictionRequest batchPrediction;
        private LearnabilityBaseline baseline;
        private SweepRequest sweep;
        private SweepTrial trial;

        private Builder(String jobId, String tenant, TrainingEventType type) {
            this.jobId = jobId;
            this.tenant = tenant;
            this.type = type;
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /** Only on {@code accepted}: what was asked, so any reader can show the job without another lookup. */
        public Builder request(TrainingRequest request) {
            this.request = request;
            return this;
        }

        public Builder metrics(EpochMetrics metrics) {
            this.metrics = metrics;
            this.epoch = metrics.epoch();
            return this;
        }

        /**
         * The epoch a checkpoint was taken after, that a resumed run continues from, or whose checkpoint a released
         * job resumes from (0: none).
         */
        public Builder epoch(int epoch) {
            this.epoch = epoch;
            return this;
        }

        public Builder model(String modelId, Map<String, String> artifacts, int bestEpoch) {
            this.modelId = modelId;
            this.artifacts = artifacts;
            this.bestEpoch = bestEpoch;
            return this;
        }

        /** On completed: what the stored model scored, beside the last epoch. */
        public Builder scores(ModelScores scores) {
            this.scores = scores;
            return this;
        }

        /** On a batch prediction job's completed event: where its results are. */
        public Builder artifacts(Map<String, String> artifacts) {
            this.artifacts = artifacts;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        /** On extraction-progress and feature-cache-hit: how far the features are. */
        public Builder extraction(ExtractionProgress extraction) {
            this.extraction = extraction;
            return this;
        }

        /** Only on a batch prediction job's {@code accepted}: what was asked. */
        public Builder batchPrediction(BatchPredictionRequest batchPrediction) {
            this.batchPrediction = batchPrediction;
            return this;
        }

        /** On learnability-baseline: what a linear probe on the job's features reaches (absent: why in message). */
        public Builder baseline(LearnabilityBaseline baseline) {
            this.baseline = baseline;
            return this;
        }

        /** Only on a sweep's {@code accepted}: what was asked. */
        public Builder sweep(SweepRequest sweep) {
            this.sweep = sweep;
            return this;
        }

        /** On trial-completed: the trial's hyperparameters and metrics. */
        public Builder trial(SweepTrial trial) {
            this.trial = trial;
            return this;
        }

        /** Which run of the job on a worker this happened in (a worker names each of its runs). */
        public Builder run(String run) {
            this.run = run;
            return this;
        }

        public TrainingEvent build() {
            return new TrainingEvent(Messages.SCHEMA_VERSION, type, eventId(), jobId, tenant, Instant.now(), message,
                    request, metrics, epoch, modelId, artifacts, bestEpoch, reason, extraction, scores,
                    batchPrediction, baseline, sweep, trial);
        }

        private String eventId() {
            String id = jobId + ":" + type.wireName();
            String ofRun = run == null ? "" : ":" + run;
            return switch (type) {
                case STARTED -> id + ofRun;
                case RESUMED, RELEASED -> id + ":" + epoch + ofRun;
                case EPOCH_COMPLETED, CHECKPOINTED -> id + ":" + epoch;
                case EXTRACTION_PROGRESS -> id + ":" + extraction.done();
                case TRIAL_COMPLETED -> id + ":" + trial.trial();
                default -> id;
            };
        }
    }
}
