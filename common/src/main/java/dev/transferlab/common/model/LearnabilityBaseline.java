package dev.transferlab.common.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * What a linear probe on a dataset's frozen features reaches, cross-validated: the accuracy a trained head should at
 * least reach, and which classes the features hardly tell apart. Computed by the worker as soon as a dataset's
 * features exist, published on the job's {@code learnability-baseline} event, and kept with the dataset
 * ({@code GET /v1/datasets/{id}/baselines}).
 *
 * @param probe          the model and its settings, in words
 * @param images         how many of the dataset's decodable images the probe used (at most a fixed sample)
 * @param accuracy       mean of the folds' held-out accuracies
 * @param accuracyStd    their standard deviation (population)
 * @param chanceAccuracy what always answering the largest class would score on the same images
 * @param confusion      the probe's out-of-fold predictions: row true class, column predicted class
 * @param confusedPairs  pairs of classes the probe mixed up, most confused first
 * @param warnings       what a person should look at before training
 * @param contentHash    the images the features are of; a baseline of other content is stale
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LearnabilityBaseline(
        int schemaVersion,
        String probe,
        int images,
        int folds,
        double accuracy,
        double accuracyStd,
        List<Double> foldAccuracies,
        double chanceAccuracy,
        List<String> classes,
        int[][] confusion,
        List<ConfusedPair> confusedPairs,
        List<String> warnings,
        String contentHash,
        String backboneSha256,
        String preprocessing,
        Instant computedAt) {

    /**
     * @param confused images of either class predicted as the other
     * @param images   images of the two classes together
     * @param rate     confused / images
     */
    public record ConfusedPair(String first, String second, int confused, int images, double rate) {
    }
}
