package dev.transferlab.common.messages;

import dev.transferlab.common.model.PreprocessingSpec;

import java.time.Instant;

/**
 * Command: train a classifier head on a dataset. Keyed by job id on {@link Topics#TRAINING_REQUESTS}.
 *
 * @param dataset       object-storage location of an ImageFolder tree: {@code s3://bucket/prefix} or a prefix in
 *                      the platform bucket
 * @param preprocessing how images become backbone input; null (from an older sender) means
 *                      {@link PreprocessingSpec#imagenet()}
 */
public record TrainingRequest(
        int schemaVersion,
        String type,
        String jobId,
        String tenant,
        Instant timestamp,
        String dataset,
        BackboneSpec backbone,
        Hyperparameters hyperparameters,
        PreprocessingSpec preprocessing) {

    public static final String TYPE = "training-request";

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters) {
        return of(jobId, tenant, dataset, backbone, hyperparameters, PreprocessingSpec.imagenet());
    }

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters, PreprocessingSpec preprocessing) {
        return new TrainingRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), dataset, backbone,
                hyperparameters, preprocessing);
    }

    public PreprocessingSpec preprocessingOrDefault() {
        return preprocessing != null ? preprocessing : PreprocessingSpec.imagenet();
    }
}
