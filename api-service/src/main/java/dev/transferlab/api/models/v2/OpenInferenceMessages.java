package dev.transferlab.api.models.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The JSON bodies of the Open Inference Protocol (KServe v2) REST API that this service speaks. */
public final class OpenInferenceMessages {
    private OpenInferenceMessages() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    public record Live(boolean live) {
    }

    public record Ready(boolean ready) {
    }

    public record ModelReady(String name, boolean ready) {
    }

    /** A tensor's description; -1 in {@code shape} is a dimension of any size. */
    public record TensorMetadata(String name, String datatype, List<Integer> shape) {
    }

    public record ModelMetadata(String name, String platform, List<TensorMetadata> inputs,
                                List<TensorMetadata> outputs) {
    }

    public record InferRequest(String id, JsonNode parameters, List<RequestInput> inputs,
                               List<RequestOutput> outputs) {
    }

    /** {@code data} is the tensor's elements, flat or nested as {@code shape} has them. */
    public record RequestInput(String name, List<Integer> shape, String datatype, JsonNode parameters,
                               JsonNode data) {
    }

    public record RequestOutput(String name, JsonNode parameters) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferResponse(@JsonProperty("model_name") String modelName, String id, List<Tensor> outputs) {
    }

    /** An output tensor: its elements flat, in row-major order. */
    public record Tensor(String name, List<Integer> shape, String datatype, List<?> data) {
    }
}
