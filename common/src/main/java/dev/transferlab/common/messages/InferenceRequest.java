package dev.transferlab.common.messages;

import java.time.Instant;

/**
 * Command: classify one image with a stored model. Travels on {@link Topics#INFERENCE_REQUESTS}; the reply (an
 * {@link InferenceResult}) is correlated by the Kafka request-reply headers. The image is inline (base64 in JSON):
 * the API caps its size well under the broker's message limit.
 */
public record InferenceRequest(int schemaVersion, String type, String requestId, String tenant, Instant timestamp,
                               String modelId, byte[] image, Instant deadline) {

    public static final String TYPE = "inference-request";

    public static InferenceRequest of(String requestId, String tenant, String modelId, byte[] image) {
        return of(requestId, tenant, modelId, image, null);
    }

    /**
     * @param deadline when the asker stops waiting (optional): a worker answers an error instead of a prediction
     *                 after it, since nobody would read the prediction
     */
    public static InferenceRequest of(String requestId, String tenant, String modelId, byte[] image,
                                      Instant deadline) {
        return new InferenceRequest(Messages.SCHEMA_VERSION, TYPE, requestId, tenant, Instant.now(), modelId, image,
                deadline);
    }
}
