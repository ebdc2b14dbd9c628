package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * Reply to an {@link InferenceRequest}: class probabilities, best first, or an error a person can act on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InferenceResult(int schemaVersion, String type, String requestId, String tenant, Instant timestamp,
                              String modelId, List<Prediction> predictions, Error error) {

    public static final String TYPE = "inference-result";

    public record Prediction(String className, double probability) {
    }

    /** Why no prediction could be made; {@code code} lets the API pick an HTTP status. */
    public record Error(ErrorCode code, String detail) {
    }

    /**
     * {@code DEADLINE_EXCEEDED}: the request's deadline passed before it ran or while it ran; {@code OVERLOADED}:
     * the worker's inference queue was full.
     */
    public enum ErrorCode { MODEL_NOT_FOUND, INVALID_IMAGE, IMAGE_TOO_LARGE, INTERNAL, DEADLINE_EXCEEDED, OVERLOADED }

    public static InferenceResult success(InferenceRequest request, List<Prediction> predictions) {
        return new InferenceResult(Messages.SCHEMA_VERSION, TYPE, request.requestId(), request.tenant(),
                Instant.now(), request.modelId(), predictions, null);
    }

    public static InferenceResult failure(InferenceRequest request, ErrorCode code, String detail) {
        return new InferenceResult(Messages.SCHEMA_VERSION, TYPE, request.requestId(), request.tenant(),
                Instant.now(), request.modelId(), null, new Error(code, detail));
    }
}
