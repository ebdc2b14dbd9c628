package dev.transferlab.common.messages;

import java.time.Instant;

/**
 * Command: classify one image with a stored model. Travels on {@link Topics#INFERENCE_REQUESTS}; the reply (an
 * {@link InferenceResult}) is correlated by the Kafka request-reply headers. A small image is inline ({@code image},
 * base64 in JSON); a large one waits in object storage under {@code imageKey}
 * ({@link dev.transferlab.common.storage.StorageLayout#inferencePayload}) and {@code image} is null (a claim check),
 * so that messages stay small and bounded.
 */
public record InferenceRequest(int schemaVersion, String type, String requestId, String tenant, Instant timestamp,
                               String modelId, byte[] image, Instant deadline, String imageKey) {

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
                deadline, null);
    }

    /** A request whose image is in the platform bucket under {@code imageKey}, not in the message. */
    public static InferenceRequest byReference(String requestId, String tenant, String modelId, String imageKey,
                                               Instant deadline) {
        return new InferenceRequest(Messages.SCHEMA_VERSION, TYPE, requestId, tenant, Instant.now(), modelId, null,
                deadline, imageKey);
    }

    /** The same request with its image inline, as a worker has it once it has read the claim check's payload. */
    public InferenceRequest withImage(byte[] bytes) {
        return new InferenceRequest(schemaVersion, type, requestId, tenant, timestamp, modelId, bytes, deadline,
                null);
    }
}
