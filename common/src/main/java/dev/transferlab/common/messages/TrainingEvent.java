package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to a training job. Keyed by job id on {@link Topics#TRAINING_EVENTS}, so one job's events
 * stay in order. {@code sequence} counts up per job; {@code eventId} is derived from it, so a replayed event has the
 * same id and consumers can drop duplicates.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingEvent(
        int schemaVersion,
        TrainingEventType type,
        String eventId,
        String jobId,
        String tenant,
        Instant timestamp,
        long sequence,
        String message,
        TrainingRequest request,
        EpochMetrics metrics,
        String modelId,
        Map<String, String> artifacts,
        Integer bestEpoch,
        String reason,
        ExtractionProgress extraction) {

    public static Builder builder(String jobId, String tenant, long sequence, TrainingEventType type) {
        return new Builder(jobId, tenant, sequence, type);
    }

    public static String eventId(String jobId, long sequence) {
        return jobId + "-" + sequence;
    }

    public static final class Builder {
        private final String jobId;
        private final String tenant;
        private final long sequence;
        private final TrainingEventType type;
        private String message;
        private TrainingRequest request;
        private EpochMetrics metrics;
        private String modelId;
        private Map<String, String> artifacts;
        private Integer bestEpoch;
        private String reason;
        private ExtractionProgress extraction;

        private Builder(String jobId, String tenant, long sequence, TrainingEventType type) {
            this.jobId = jobId;
            this.tenant = tenant;
            this.sequence = sequence;
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
            return this;
        }

        public Builder model(String modelId, Map<String, String> artifacts, int bestEpoch) {
            this.modelId = modelId;
            this.artifacts = artifacts;
            this.bestEpoch = bestEpoch;
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

        public TrainingEvent build() {
            return new TrainingEvent(Messages.SCHEMA_VERSION, type, eventId(jobId, sequence), jobId, tenant,
                    Instant.now(), sequence, message, request, metrics, modelId, artifacts, bestEpoch, reason,
                    extraction);
        }
    }
}
