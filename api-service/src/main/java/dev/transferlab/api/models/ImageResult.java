package dev.transferlab.api.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.InferenceResult;

import java.util.List;

/**
 * One image's answer in a request of many: its prediction (the fields of {@link ModelResource.PredictionResponse}),
 * or the problem that failed this image alone (the fields of its problem+json: status, title, detail).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageResult(String modelId, String label, Double probability,
                          List<InferenceResult.Prediction> predictions, Integer status, String title, String detail) {

    static ImageResult of(ModelResource.PredictionResponse prediction) {
        return new ImageResult(prediction.modelId(), prediction.label(), prediction.probability(),
                prediction.predictions(), null, null, null);
    }

    static ImageResult of(Problem problem) {
        return new ImageResult(null, null, null, null, problem.status(), problem.title(), problem.detail());
    }

    /** What a request of many images answers: one result per image, in the order the images came. */
    public record Many(List<ImageResult> results) {
    }
}
