package dev.transferlab.worker.ml;

import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.EvaluationReport.Average;
import dev.transferlab.common.model.EvaluationReport.Calibration;
import dev.transferlab.common.model.EvaluationReport.ClassScores;
import dev.transferlab.common.model.EvaluationReport.Misclassified;
import dev.transferlab.common.model.EvaluationReport.ReliabilityBin;
import dev.transferlab.common.model.EvaluationReport.SetEvaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The figures of one evaluated set from a model's class probabilities and the true labels, defined as scikit-learn
 * defines them (EvaluatorTest checks every one against it). Pure arithmetic on the heap: no engine, no framework.
 */
public final class Evaluator {

    /**
     * scikit-learn's default clipping in {@code log_loss} (the machine epsilon of float64), so a probability of 0
     * costs a finite loss.
     */
    private static final double LOG_LOSS_EPS = Math.ulp(1.0);

    private Evaluator() {
    }

    /**
     * @param probabilities one row per image, one column per class
     * @param paths         the images' paths, in the rows' order
     * @return null for an empty set
     */
    public static SetEvaluation evaluate(float[][] probabilities, int[] labels, List<String> paths,
            List<String> classes) {
        int n = labels.length;
        if (probabilities.length != n || paths.size() != n) {
            throw new IllegalArgumentException(probabilities.length + " rows of probabilities, " + n + " labels and "
                    + paths.size() + " paths");
        }
        if (n == 0) {
            return null;
        }
        int c = classes.size();
        boolean withTopK = c > EvaluationReport.TOP_K;
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        int[][] confusion = new int[c][c];
        int correct = 0;
        int topKHits = 0;
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            float[] p = probabilities[i];
            if (p.length != c) {
                throw new IllegalArgumentException("row " + i + " has " + p.length + " probabilities for " + c
                        + " classes");
            }
            predicted[i] = argMax(p);
            confidence[i] = p[predicted[i]];
            confusion[labels[i]][predicted[i]]++;
            correct += predicted[i] == labels[i] ? 1 : 0;
            topKHits += withTopK && rank(p, labels[i]) < EvaluationReport.TOP_K ? 1 : 0;
            logLoss -= Math.log(clippedAndRenormalised(p, labels[i]));
        }
        List<ClassScores> perClass = perClass(confusion, classes);
        return new SetEvaluation(n, (double) correct / n, withTopK ? EvaluationReport.TOP_K : null,
                withTopK ? (double) topKHits / n : null, logLoss / n,
                Arrays.stream(confusion).map(row -> Arrays.stream(row).boxed().toList()).toList(), perClass,
                average(perClass, n, false), average(perClass, n, true),
                calibration(confidence, predicted, labels),
                n - correct, misclassified(labels, predicted, confidence, paths, classes));
    }

    /** The first of the largest, as numpy's argmax. */
    private static int argMax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Where the true class comes in the scores sorted from high to low, ties broken as scikit-learn's
     * {@code top_k_accuracy_score} breaks them (a stable ascending sort, reversed: the higher index first).
     */
    private static int rank(float[] p, int label) {
        int rank = 0;
        for (int j = 0; j < p.length; j++) {
            if (p[j] > p[label] || p[j] == p[label] && j > label) {
                rank++;
            }
        }
        return rank;
    }

    private static double clippedAndRenormalised(float[] p, int label) {
        double sum = 0;
        for (float v : p) {
            sum += clip(v);
        }
        return clip(p[label]) / sum;
    }

    private static double clip(double v) {
        return Math.min(Math.max(v, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    }

    private static List<ClassScores> perClass(int[][] confusion, List<String> classes) {
        List<ClassScores> scores = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            int truePositives = confusion[k][k];
            int support = Arrays.stream(confusion[k]).sum();
            int column = k;
            int predictedAsK = Arrays.stream(confusion).mapToInt(row -> row[column]).sum();
            double precision = predictedAsK == 0 ? 0 : (double) truePositives / predictedAsK;
            double recall = support == 0 ? 0 : (double) truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.add(new ClassScores(classes.get(k), precision, recall, f1, support));
        }
        return scores;
    }

    private static Average average(List<ClassScores> perClass, int n, boolean weighted) {
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        for (ClassScores s : perClass) {
            double weight = weighted ? (double) s.support() / n : 1.0 / perClass.size();
            precision += weight * s.precision();
            recall += weight * s.recall();
            f1 += weight * s.f1();
        }
        return new Average(precision, recall, f1, n);
    }

    /** Bin b holds confidences in (b/15, (b+1)/15], the first also 0: numpy's searchsorted over the inner edges. */
    private static Calibration calibration(double[] confidence, int[] predicted, int[] labels) {
        int bins = EvaluationReport.CALIBRATION_BINS;
        int[] images = new int[bins];
        int[] right = new int[bins];
        double[] confidenceSum = new double[bins];
        for (int i = 0; i < confidence.length; i++) {
            int bin = 0;
            while (bin < bins - 1 && edge(bin + 1) < confidence[i]) {
                bin++;
            }
            images[bin]++;
            right[bin] += predicted[i] == labels[i] ? 1 : 0;
            confidenceSum[bin] += confidence[i];
        }
        double error = 0;
        List<ReliabilityBin> table = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            Double accuracy = images[b] == 0 ? null : (double) right[b] / images[b];
            Double meanConfidence = images[b] == 0 ? null : confidenceSum[b] / images[b];
            if (images[b] > 0) {
                error += (double) images[b] / confidence.length * Math.abs(accuracy - meanConfidence);
            }
            table.add(new ReliabilityBin(edge(b), b == bins - 1 ? 1.0 : edge(b + 1), images[b], accuracy,
                    meanConfidence));
        }
        return new Calibration(bins, error, table);
    }

    /** As numpy's linspace(0, 1, 16) computes its edges. */
    private static double edge(int index) {
        return index * (1.0 / EvaluationReport.CALIBRATION_BINS);
    }

    private static List<Misclassified> misclassified(int[] labels, int[] predicted, double[] confidence,
            List<String> paths, List<String> classes) {
        return IntStream.range(0, labels.length).filter(i -> predicted[i] != labels[i]).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -confidence[i]).thenComparing(i -> i))
                .limit(EvaluationReport.MAX_MISCLASSIFIED)
                .map(i -> new Misclassified(paths.get(i), classes.get(labels[i]), classes.get(predicted[i]),
                        confidence[i]))
                .toList();
    }
}
