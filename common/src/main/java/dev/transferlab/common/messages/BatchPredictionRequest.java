package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * Command: classify every image under a location with a stored model. Keyed by job id on
 * {@link Topics#BATCH_PREDICTION_REQUESTS}; cancelled like a training job, by a {@link CancelRequest} on
 * {@link Topics#TRAINING_CONTROL}. Its events are {@link TrainingEvent}s of the job id: see the api-service's
 * projection for why.
 *
 * @param input     object-storage location of the images: an ImageFolder tree or a flat folder of images
 * @param datasetId the registered dataset the location belongs to, or null for a bare prefix; an uploaded dataset's
 *                  content hash finds the features cached when a model was trained on it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchPredictionRequest(
        int schemaVersion,
        String type,
        String jobId,
        String tenant,
        Instant timestamp,
        String modelId,
        String input,
        String datasetId) {

    public static final String TYPE = "batch-prediction-request";

    public static BatchPredictionRequest of(String jobId, String tenant, String modelId, String input,
                                            String datasetId) {
        return new BatchPredictionRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now(), modelId, input,
                datasetId);
    }
}
