package dev.transferlab.common.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * How the stored model does on its validation and test sets, from the cached features of their images, computed when
 * the model is stored. Stored beside the model and served at {@code GET /v1/models/{id}/evaluation}. The figures are
 * scikit-learn's (their test checks them against it); a set the job does not have is null.
 *
 * @param epoch the epoch the stored model is from
 */
public record EvaluationReport(int schemaVersion, String modelId, int epoch, List<String> classes,
                               SetEvaluation validation, SetEvaluation test) {

    /** Top-k accuracy is reported for this k, where the model has more classes than k. */
    public static final int TOP_K = 5;
    /** Equal-width confidence bins of the calibration, as the usual expected calibration error takes. */
    public static final int CALIBRATION_BINS = 15;
    /** At most this many misclassified images are listed per set, most confident first. */
    public static final int MAX_MISCLASSIFIED = 100;

    /**
     * @param topK             the k of {@code topKAccuracy}; both null when there are {@link #TOP_K} classes or fewer
     * @param logLoss          mean of -log p(true class), probabilities clipped to [eps, 1 - eps] (eps: float64's
     *                         machine epsilon) and renormalised, as scikit-learn's {@code log_loss} does
     * @param confusionMatrix  row: true class, column: predicted class, in the order of {@code classes}
     * @param perClass         in the order of the report's classes; precision of a class never predicted is 0, as is
     *                         recall of a class without images (scikit-learn's {@code zero_division=0})
     * @param macroAverage     unweighted mean over the classes; its support is the set's size
     * @param weightedAverage  mean weighted by each class's support
     * @param misclassified    the wrong predictions, most confident first, at most {@link #MAX_MISCLASSIFIED}
     * @param misclassifiedImages how many images were wrong in all
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SetEvaluation(int images, double accuracy, Integer topK, Double topKAccuracy, double logLoss,
                                List<List<Integer>> confusionMatrix, List<ClassScores> perClass, Average macroAverage,
                                Average weightedAverage, Calibration calibration, int misclassifiedImages,
                                List<Misclassified> misclassified) {
    }

    public record ClassScores(String className, double precision, double recall, double f1, int support) {
    }

    public record Average(double precision, double recall, double f1, int support) {
    }

    /**
     * Calibration of the predicted class's probability (the confidence).
     *
     * @param expectedCalibrationError sum over the bins of (images in bin / images) x |accuracy - mean confidence|
     * @param reliability              every bin, empty ones included
     */
    public record Calibration(int bins, double expectedCalibrationError, List<ReliabilityBin> reliability) {
    }

    /**
     * Images whose confidence is in (lower, upper] (the first bin includes 0), how often they were right, and how
     * confident they were on average; both null for an empty bin.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReliabilityBin(double lower, double upper, int images, Double accuracy, Double meanConfidence) {
    }

    /** @param probability what the model gave the predicted class */
    public record Misclassified(String path, String trueClass, String predictedClass, double probability) {
    }
}
