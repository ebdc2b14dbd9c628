package dev.transferlab.common.messages;

import java.time.Instant;

/**
 * Command: classify one image with a stored model. Travels on {@link Topics#INFERENCE_REQUESTS}; the reply (an
 * {@link InferenceResult}) is correlated by the Kafka request-reply headers. The image is inline (base64 in JSON):
 * the API caps its size well under the broker's message limit.
 */
public record InferenceRequest(int schemaVersion, String type, String requestId, String tenant, Instant timestamp,
                               String modelId, byte[] image) {

    public static final String TYPE = "inference-request";

    public static InferenceRequest of(String requestId, String tenant, String modelId, byte[] image) {
        return new InferenceRequest(Messages.SCHEMA_VERSION, TYPE, requestId, tenant, Instant.now(), modelId, image);
    }
}
