package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.model.PreprocessingSpec;

import java.time.Instant;

/**
 * Command: train a classifier head on a dataset. Keyed by job id on {@link Topics#TRAINING_REQUESTS}.
 *
 * @param dataset        object-storage location of an ImageFolder tree: {@code s3://bucket/prefix} or a prefix in
 *                       the platform bucket
 * @param preprocessing  how images become backbone input; null (from an older sender) means
 *                       {@link PreprocessingSpec#imagenet()}
 * @param datasetId      the registered dataset the location belongs to, or null when the job names a bare location;
 *                       the worker reads the dataset's manifest for its content hash
 * @param idempotencyKey the client's {@code Idempotency-Key}, if it sent one, with {@code submissionSha256} (a hash
 *                       of what it submitted): any api-service replica that reads this request's accepted event can
 *                       then answer a retry with the original job
 * @param featuresOnly   true: the job only computes the dataset's features (or finds them in the cache) and its
 *                       learnability baseline, and trains no head, so that both are ready when training starts;
 *                       null means false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingRequest(
        int schemaVersion,
        String type,
        String jobId,
        String tenant,
        Instant timestamp,
        String dataset,
        BackboneSpec backbone,
        Hyperparameters hyperparameters,
        PreprocessingSpec preprocessing,
        String datasetId,
        String idempotencyKey,
        String submissionSha256,
        Boolean featuresOnly) {

    public static final String TYPE = "training-request";

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters) {
        return of(jobId, tenant, dataset, null, backbone, hyperparameters, PreprocessingSpec.imagenet());
    }

    public static TrainingRequest of(String jobId, String tenant, String dataset, String datasetId,
                                     BackboneSpec backbone, Hyperparameters hyperparameters,
                                     PreprocessingSpec preprocessing) {
        return new TrainingRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), dataset, backbone,
                hyperparameters, preprocessing, datasetId, null, null, null);
    }

    public TrainingRequest withIdempotency(String key, String submissionSha256) {
        return new TrainingRequest(schemaVersion, type, jobId, tenant, timestamp, dataset, backbone, hyperparameters,
                preprocessing, datasetId, key, submissionSha256, featuresOnly);
    }

    /** The same dataset, backbone and preprocessing, for its features and learnability baseline only. */
    public TrainingRequest asFeaturesOnly() {
        return new TrainingRequest(schemaVersion, type, jobId, tenant, timestamp, dataset, backbone, hyperparameters,
                preprocessing, datasetId, idempotencyKey, submissionSha256, true);
    }

    public boolean featuresOnlyOrDefault() {
        return Boolean.TRUE.equals(featuresOnly);
    }

    public PreprocessingSpec preprocessingOrDefault() {
        return preprocessing != null ? preprocessing : PreprocessingSpec.imagenet();
    }
}
