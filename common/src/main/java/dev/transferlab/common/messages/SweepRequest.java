package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.model.PreprocessingSpec;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command: search a classifier head's hyperparameters on one dataset's cached features. Keyed by sweep id on
 * {@link Topics#SWEEP_REQUESTS}; cancelled like a training job, by a {@link CancelRequest} on
 * {@link Topics#TRAINING_CONTROL}. Its events are {@link TrainingEvent}s of the sweep id, on the same topic as every
 * job's: accepted (with {@code sweep}), started, resumed, extraction-progress, feature-cache-hit, trial-completed
 * (with {@code trial}), released, completed (the best trial's stored model), failed, cancelled.
 *
 * @param dataset    object-storage location of an ImageFolder tree, as a training job's
 * @param datasetId  the registered dataset the location belongs to, or null for a bare location
 * @param base       every trial's hyperparameters but those the space searches; its {@code epochs} are every trial's
 *                   (successive halving: the last rung's)
 * @param space      per field of {@link Hyperparameters} (its JSON name), the values to try; see {@link SweepPlan}
 * @param maxTrials  the trial budget: a random or halving sweep draws this many, a grid may not have more
 * @param metric     what the best trial is chosen by, on the validation set
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepRequest(
        int schemaVersion,
        String type,
        String jobId,
        String tenant,
        Instant timestamp,
        String dataset,
        String datasetId,
        BackboneSpec backbone,
        PreprocessingSpec preprocessing,
        Hyperparameters base,
        Map<String, SearchDimension> space,
        SweepStrategy strategy,
        int maxTrials,
        SweepMetric metric,
        String idempotencyKey,
        String submissionSha256) {

    public static final String TYPE = "sweep-request";
    /** The most trials one sweep may plan. */
    public static final int MAX_TRIALS = 10_000;

    public SweepRequest {
        // Kept in the order given: a grid's trials are numbered in it.
        space = space == null ? null : new LinkedHashMap<>(space);
    }

    public static SweepRequest of(String jobId, String tenant, String dataset, String datasetId, BackboneSpec backbone,
                                  PreprocessingSpec preprocessing, Hyperparameters base,
                                  Map<String, SearchDimension> space, SweepStrategy strategy, int maxTrials,
                                  SweepMetric metric) {
        return new SweepRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), dataset, datasetId,
                backbone, preprocessing, base, space, strategy, maxTrials, metric, null, null);
    }

    public SweepRequest withIdempotency(String key, String submissionSha256) {
        return new SweepRequest(schemaVersion, type, jobId, tenant, timestamp, dataset, datasetId, backbone,
                preprocessing, base, space, strategy, maxTrials, metric, key, submissionSha256);
    }

    /**
     * The training job a sweep shares its dataset, features and splits with: the base hyperparameters fix the split
     * (the space may not search it), so every trial validates on the same images.
     */
    public TrainingRequest asTrainingRequest() {
        return TrainingRequest.of(jobId, tenant, dataset, datasetId, backbone, base, preprocessingOrDefault());
    }

    public PreprocessingSpec preprocessingOrDefault() {
        return preprocessing != null ? preprocessing : PreprocessingSpec.imagenet();
    }

    public SweepMetric metricOrDefault() {
        return metric != null ? metric : SweepMetric.VALIDATION_LOSS;
    }
}
