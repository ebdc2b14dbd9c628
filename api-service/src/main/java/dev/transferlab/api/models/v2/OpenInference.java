package dev.transferlab.api.models.v2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.models.ImageResult;
import dev.transferlab.api.models.Models;
import dev.transferlab.api.models.Predictions;
import dev.transferlab.api.models.v2.OpenInferenceMessages.InferRequest;
import dev.transferlab.api.models.v2.OpenInferenceMessages.InferResponse;
import dev.transferlab.api.models.v2.OpenInferenceMessages.ModelMetadata;
import dev.transferlab.api.models.v2.OpenInferenceMessages.RequestInput;
import dev.transferlab.api.models.v2.OpenInferenceMessages.RequestOutput;
import dev.transferlab.api.models.v2.OpenInferenceMessages.Tensor;
import dev.transferlab.api.models.v2.OpenInferenceMessages.TensorMetadata;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.ModelManifest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as the Open Inference Protocol sees it: one input, {@value #INPUT}, the encoded images (JPEG or PNG) as a
 * BYTES tensor of shape [N] whose JSON elements are base64; two outputs, {@value #PROBABILITIES} (FP32 [N, classes],
 * in the manifest's class order) and {@value #LABELS} (BYTES [N], each image's most likely class). The images are
 * predicted as a request of many images to /v1 is, but one that fails fails the whole inference, as the protocol has
 * no per-element errors.
 */
@ApplicationScoped
public class OpenInference {
    static final String INPUT = "image";
    static final String PROBABILITIES = "probabilities";
    static final String LABELS = "labels";
    /** Not one of the protocol's listed platforms: the network runs in DJL's PyTorch engine behind Kafka. */
    static final String PLATFORM = "transferlab_djl_pytorch";
    private static final String BYTES = "BYTES";
    private static final String FP32 = "FP32";

    @Inject
    Models models;

    @Inject
    Predictions predictions;

    public ModelMetadata metadata(String tenant, String modelId) {
        int classes = models.manifest(tenant, modelId).classes().size();
        return new ModelMetadata(modelId, PLATFORM, List.of(new TensorMetadata(INPUT, BYTES, List.of(-1))),
                List.of(new TensorMetadata(PROBABILITIES, FP32, List.of(-1, classes)),
                        new TensorMetadata(LABELS, BYTES, List.of(-1))));
    }

    public Uni<InferResponse> infer(String tenant, String modelId, InferRequest request) {
        ModelManifest manifest = models.manifest(tenant, modelId);
        List<String> outputs = requestedOutputs(request);
        List<byte[]> images = images(request);
        return predictions.predictEach(tenant, modelId, images).map(many -> {
            List<Float> probabilities = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < many.results().size(); i++) {
                ImageResult result = many.results().get(i);
                if (result.status() != null) {
                    throw new ProblemException(result.status(), result.title(), images.size() == 1
                            ? result.detail() : "image " + i + ": " + result.detail());
                }
                probabilities.addAll(inClassOrder(result.predictions(), manifest.classes()));
                labels.add(result.label());
            }
            Map<String, Tensor> all = new LinkedHashMap<>();
            all.put(PROBABILITIES, new Tensor(PROBABILITIES, List.of(images.size(), manifest.classes().size()),
                    FP32, probabilities));
            all.put(LABELS, new Tensor(LABELS, List.of(images.size()), BYTES, labels));
            return new InferResponse(modelId, request.id(), outputs.stream().map(all::get).toList());
        });
    }

    private static List<Float> inClassOrder(List<InferenceResult.Prediction> predictions, List<String> classes) {
        Map<String, Double> byClass = new LinkedHashMap<>();
        predictions.forEach(p -> byClass.put(p.className(), p.probability()));
        return classes.stream().map(c -> byClass.getOrDefault(c, 0.0).floatValue()).toList();
    }

    private static List<String> requestedOutputs(InferRequest request) {
        if (request.outputs() == null || request.outputs().isEmpty()) {
            return List.of(PROBABILITIES, LABELS);
        }
        List<String> names = request.outputs().stream().map(RequestOutput::name).toList();
        for (String name : names) {
            if (!PROBABILITIES.equals(name) && !LABELS.equals(name)) {
                throw badRequest("unknown output '" + name + "'; the outputs are '" + PROBABILITIES + "' and '"
                        + LABELS + "'");
            }
        }
        return names;
    }

    private static List<byte[]> images(InferRequest request) {
        if (request.inputs() == null || request.inputs().size() != 1) {
            throw badRequest("expected one input, '" + INPUT + "'");
        }
        RequestInput input = request.inputs().get(0);
        if (!INPUT.equals(input.name())) {
            throw badRequest("unknown input '" + input.name() + "'; the input is '" + INPUT + "'");
        }
        if (!BYTES.equals(input.datatype())) {
            throw badRequest("input '" + INPUT + "' has datatype " + BYTES + ", not " + input.datatype());
        }
        List<String> elements = new ArrayList<>();
        flatten(input.data(), elements);
        long declared = input.shape() == null || input.shape().isEmpty() ? -1
                : input.shape().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
        if (declared != elements.size() || elements.isEmpty()) {
            throw badRequest("input '" + INPUT + "' has shape " + input.shape() + " but " + elements.size()
                    + " elements; send shape [N] with N base64-encoded JPEG or PNG images");
        }
        List<byte[]> images = new ArrayList<>();
        for (String element : elements) {
            try {
                images.add(Base64.getDecoder().decode(element));
            } catch (IllegalArgumentException e) {
                throw badRequest("input '" + INPUT + "' element " + images.size() + " is not base64: "
                        + e.getMessage());
            }
        }
        return images;
    }

    private static void flatten(JsonNode data, List<String> into) {
        if (data == null || data.isNull()) {
            throw badRequest("input '" + INPUT + "' has no data");
        }
        if (data.isArray()) {
            data.forEach(element -> flatten(element, into));
        } else if (data.isTextual()) {
            into.add(data.asText());
        } else {
            throw badRequest("input '" + INPUT + "' holds " + data.getNodeType().name().toLowerCase()
                    + " elements; BYTES elements are base64 strings");
        }
    }

    private static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }
}
