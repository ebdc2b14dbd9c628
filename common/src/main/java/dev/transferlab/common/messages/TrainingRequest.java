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
 * @param idempotencyKey the client's {@code Idempotency-Key}, if it sent one, with {@code submissionSha256} (a hash
 *                       of what it submitted): any api-service replica that reads this request's accepted event can
 *                       then answer a retry with the original job
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
        String idempotencyKey,
        String submissionSha256) {

    public static final String TYPE = "training-request";

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters) {
        return of(jobId, tenant, dataset, backbone, hyperparameters, PreprocessingSpec.imagenet());
    }

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters, PreprocessingSpec preprocessing) {
        return new TrainingRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), dataset, backbone,
                hyperparameters, preprocessing, null, null);
    }

    public TrainingRequest withIdempotency(String key, String submissionSha256) {
        return new TrainingRequest(schemaVersion, type, jobId, tenant, timestamp, dataset, backbone, hyperparameters,
                preprocessing, key, submissionSha256);
    }

    public PreprocessingSpec preprocessingOrDefault() {
        return preprocessing != null ? preprocessing : PreprocessingSpec.imagenet();
    }
}
