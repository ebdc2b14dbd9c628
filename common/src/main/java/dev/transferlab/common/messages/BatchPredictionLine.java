package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * One line of a batch prediction job's results (JSON Lines): an image's most likely class and every class's
 * probability, in the model's class order; or, for an image that could not be read or decoded, why not. A bad image
 * fails only its own line.
 *
 * @param path the image's path under the job's input location
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchPredictionLine(String path, String label, Map<String, Double> probabilities, String error) {

    public static BatchPredictionLine failed(String path, String error) {
        return new BatchPredictionLine(path, null, null, error);
    }
}
