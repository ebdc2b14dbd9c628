package dev.transferlab.api.jobs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.model.ModelScores;

import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /v1/training-jobs/{id}} answers: the job as its events describe it. A batch prediction job has a
 * view too, from the same events, which {@link BatchPredictionView} shows, and so does a sweep ({@link SweepView}:
 * its trials in the order they finished).
 *
 * @param latestMetrics the last epoch's, which need not be the stored model's: {@code scores} and {@code bestEpoch}
 *                      describe that
 * @param scores        once completed: the stored (best) epoch's validation and test figures beside the last epoch's
 * @param baseline      once the features exist: what a linear probe on them reaches, the accuracy to beat
 * @param featuresOnly  true for a job that only computes the features and the baseline: it stores no model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        String id,
        String tenant,
        JobState state,
        String phase,
        String dataset,
        String datasetId,
        BackboneSpec backbone,
        Hyperparameters hyperparameters,
        Instant submittedAt,
        Instant updatedAt,
        EpochMetrics latestMetrics,
        ExtractionProgress extraction,
        String modelId,
        Integer bestEpoch,
        ModelScores scores,
        LearnabilityBaseline baseline,
        String reason,
        boolean cancelRequested,
        long events,
        Boolean featuresOnly,
        @JsonIgnore BatchPredictionRequest batchPrediction,
        @JsonIgnore SweepRequest sweep,
        @JsonIgnore List<SweepTrial> trials) {

    /** Which endpoints show the job: the training endpoints show neither batch predictions nor sweeps. */
    @JsonIgnore
    public JobKind kind() {
        return batchPrediction != null ? JobKind.BATCH_PREDICTION : sweep != null ? JobKind.SWEEP : JobKind.TRAINING;
    }

    public boolean isTerminal() {
        return state == JobState.COMPLETED || state == JobState.FAILED || state == JobState.CANCELLED;
    }
}
