package dev.transferlab.common.messages;

import java.time.Instant;

/**
 * Command: train a classifier head on a dataset. Keyed by job id on {@link Topics#TRAINING_REQUESTS}.
 *
 * @param dataset   object-storage location of an ImageFolder tree: {@code s3://bucket/prefix} or a prefix in the
 *                  platform bucket
 * @param datasetId the registered dataset the location belongs to, or null when the job names a bare location; the
 *                  worker reads the dataset's manifest for its content hash
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
        String datasetId) {

    public static final String TYPE = "training-request";

    public static TrainingRequest of(String jobId, String tenant, String dataset, BackboneSpec backbone,
                                     Hyperparameters hyperparameters) {
        return of(jobId, tenant, dataset, null, backbone, hyperparameters);
    }

    public static TrainingRequest of(String jobId, String tenant, String dataset, String datasetId,
                                     BackboneSpec backbone, Hyperparameters hyperparameters) {
        return new TrainingRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), dataset, backbone,
                hyperparameters, datasetId);
    }
}
