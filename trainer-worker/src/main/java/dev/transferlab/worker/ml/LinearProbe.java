package dev.transferlab.worker.ml;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A cross-validated linear probe on frozen features: L2-regularised logistic regression, one class against the rest,
 * solved by liblinear (the solver scikit-learn's {@code LogisticRegression(solver="liblinear", dual=True)} wraps), so
 * its figures can be checked against scikit-learn. The dual solver, because with about as many features (1,024) as
 * images its coordinate descent took a third of the primal Newton solver's time on the same 2,000 images. What it
 * reaches out of fold is the accuracy a head on the same features should at least reach.
 */
public final class LinearProbe {
    /** scikit-learn's default regularisation, C = 1. */
    public static final double DEFAULT_C = 1.0;
    /** scikit-learn's default tolerance. */
    public static final double DEFAULT_EPS = 1e-4;

    private final double c;
    private final double eps;

    public LinearProbe(double c, double eps) {
        this.c = c;
        this.eps = eps;
    }

    /**
     * @param foldAccuracies          accuracy on each fold's held-out images, trained on the other folds
     * @param confusion               out-of-fold predictions: row true class, column predicted class
     * @param outOfFoldProbabilities  per image, the class probabilities of the probe that did not see it
     */
    public record Result(double[] foldAccuracies, int[][] confusion, double[][] outOfFoldProbabilities) {
    }

    static {
        Linear.disableDebugOutput();
    }

    /**
     * Fold of every image: each class's images, shuffled by the seed, dealt round-robin, so every fold holds every
     * class in proportion (as scikit-learn's StratifiedKFold aims to).
     */
    public static int[] stratifiedFolds(int[] labels, int numClasses, int folds, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random random = new Random(seed);
        int[] fold = new int[labels.length];
        int next = 0;
        for (List<Integer> members : byClass) {
            Collections.shuffle(members, random);
            for (int index : members) {
                fold[index] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }

    /**
     * Trains one probe per fold on the other folds' images and predicts the fold's own.
     *
     * @throws IllegalArgumentException when a fold is empty or a training part lacks a class
     */
    public Result crossValidate(float[][] features, int[] labels, int numClasses, int[] fold, int folds) {
        Feature[][] rows = sparseRows(features);
        double[][] probabilities = new double[labels.length][];
        int[][] confusion = new int[numClasses][numClasses];
        double[] accuracies = new double[folds];
        for (int f = 0; f < folds; f++) {
            List<Integer> trainRows = new ArrayList<>();
            List<Integer> heldOut = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                (fold[i] == f ? heldOut : trainRows).add(i);
            }
            if (heldOut.isEmpty()) {
                throw new IllegalArgumentException("fold " + f + " of " + folds + " holds no images");
            }
            Model model = Linear.train(problem(rows, labels, trainRows, features[0].length, numClasses),
                    new Parameter(SolverType.L2R_LR_DUAL, c, eps));
            int right = 0;
            for (int i : heldOut) {
                probabilities[i] = classProbabilities(model, rows[i], numClasses);
                int predicted = argmax(probabilities[i]);
                confusion[labels[i]][predicted]++;
                right += predicted == labels[i] ? 1 : 0;
            }
            accuracies[f] = (double) right / heldOut.size();
        }
        return new Result(accuracies, confusion, probabilities);
    }

    private static Problem problem(Feature[][] rows, int[] labels, List<Integer> members, int featureSize,
            int numClasses) {
        boolean[] seen = new boolean[numClasses];
        Problem problem = new Problem();
        problem.l = members.size();
        // scikit-learn's intercept_scaling=1: liblinear appends a constant feature 1 whose weight is the intercept.
        problem.bias = 1;
        problem.n = featureSize + 1;
        problem.x = new Feature[members.size()][];
        problem.y = new double[members.size()];
        for (int j = 0; j < members.size(); j++) {
            int i = members.get(j);
            problem.x[j] = withBias(rows[i], problem.n);
            problem.y[j] = labels[i];
            seen[labels[i]] = true;
        }
        for (int k = 0; k < numClasses; k++) {
            if (!seen[k]) {
                throw new IllegalArgumentException("class " + k + " has no images outside one of the folds");
            }
        }
        return problem;
    }

    /** liblinear numbers classes in order of first appearance; this puts them back in class-index order. */
    private static double[] classProbabilities(Model model, Feature[] row, int numClasses) {
        double[] byModel = new double[model.getNrClass()];
        Linear.predictProbability(model, withBias(row, model.getNrFeature() + 1), byModel);
        double[] byClass = new double[numClasses];
        int[] modelLabels = model.getLabels();
        for (int j = 0; j < modelLabels.length; j++) {
            byClass[modelLabels[j]] = byModel[j];
        }
        return byClass;
    }

    private static Feature[] withBias(Feature[] row, int biasIndex) {
        Feature[] biased = new Feature[row.length + 1];
        System.arraycopy(row, 0, biased, 0, row.length);
        biased[row.length] = new FeatureNode(biasIndex, 1);
        return biased;
    }

    /** liblinear takes sparse rows with 1-based indices; DenseNet's post-ReLU features have many zeros to leave out. */
    private static Feature[][] sparseRows(float[][] features) {
        Feature[][] rows = new Feature[features.length][];
        for (int i = 0; i < features.length; i++) {
            List<Feature> nonZero = new ArrayList<>();
            for (int j = 0; j < features[i].length; j++) {
                if (features[i][j] != 0) {
                    nonZero.add(new FeatureNode(j + 1, features[i][j]));
                }
            }
            rows[i] = nonZero.toArray(Feature[]::new);
        }
        return rows;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
