package dev.transferlab.worker.ml;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A cross-validated linear probe on frozen features: L2-regularised logistic regression, one class against the rest,
 * solved by liblinear's primal Newton solver, the one scikit-learn's {@code LogisticRegression(solver="liblinear",
 * dual=False)} wraps, so its figures can be checked against scikit-learn. On DenseNet121's features (1,024
 * dimensions, squared row norms about 1,400) the dual coordinate descent took several times as long to the same
 * accuracy (README, "Learnability baseline"). With fewer training images than dimensions each fold is solved in the
 * span of its training rows (see {@link RowSpace}): the same optimum in fewer dimensions. The folds train in
 * parallel: at that point of a job the backbone is idle. What the probe reaches out of fold is the accuracy a head on
 * the same features should at least reach.
 */
public final class LinearProbe {
    /** scikit-learn's default regularisation, C = 1. */
    public static final double DEFAULT_C = 1.0;
    /** liblinear's default for the primal solver: 1e-4 took over twice as long for half a point at most (bench). */
    public static final double DEFAULT_EPS = 0.01;

    private final SolverType solver;
    private final double c;
    private final double eps;
    private final int threads;

    /** The probe of a job: the primal solver, one thread per fold up to the cores. */
    public LinearProbe(double c, double eps) {
        this(SolverType.L2R_LR, c, eps, Runtime.getRuntime().availableProcessors());
    }

    /** @param solver one of liblinear's L2-regularised logistic regressions, {@code L2R_LR} or {@code L2R_LR_DUAL} */
    public LinearProbe(SolverType solver, double c, double eps, int threads) {
        if (solver != SolverType.L2R_LR && solver != SolverType.L2R_LR_DUAL) {
            throw new IllegalArgumentException(solver + " is not an L2-regularised logistic regression");
        }
        this.solver = solver;
        this.c = c;
        this.eps = eps;
        this.threads = threads;
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
        int[] held = new int[folds];
        for (int f : fold) {
            held[f]++;
        }
        for (int f = 0; f < folds; f++) {
            if (held[f] == 0) {
                throw new IllegalArgumentException("fold " + f + " of " + folds + " holds no images");
            }
        }
        double[][] rows = Arrays.stream(features).map(LinearProbe::withBias).toArray(double[][]::new);
        int dims = rows[0].length;
        boolean reduced = labels.length - Arrays.stream(held).max().orElseThrow() < dims;
        double[][] gram = reduced ? gram(rows) : null;
        double[][] probabilities = new double[labels.length][];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, folds)));
        try {
            List<Future<?>> trained = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                int heldOut = f;
                trained.add(pool.submit(() -> predictFold(rows, gram, labels, numClasses, fold, heldOut,
                        probabilities)));
            }
            for (Future<?> f : trained) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing", e);
        } finally {
            pool.shutdownNow();
        }
        int[][] confusion = new int[numClasses][numClasses];
        int[] right = new int[folds];
        for (int i = 0; i < labels.length; i++) {
            int predicted = argmax(probabilities[i]);
            confusion[labels[i]][predicted]++;
            right[fold[i]] += predicted == labels[i] ? 1 : 0;
        }
        double[] accuracies = new double[folds];
        Arrays.setAll(accuracies, f -> (double) right[f] / held[f]);
        return new Result(accuracies, confusion, probabilities);
    }

    /** Trains on every fold but {@code heldOut} and writes the probabilities of that fold's rows. */
    private void predictFold(double[][] rows, double[][] gram, int[] labels, int numClasses, int[] fold, int heldOut,
            double[][] probabilities) {
        int[] train = IntStream.range(0, labels.length).filter(i -> fold[i] != heldOut).toArray();
        boolean[] seen = new boolean[numClasses];
        Arrays.stream(train).forEach(i -> seen[labels[i]] = true);
        for (int k = 0; k < numClasses; k++) {
            if (!seen[k]) {
                throw new IllegalArgumentException("class " + k + " has no images outside one of the folds");
            }
        }
        RowSpace space = gram != null && train.length < rows[0].length ? RowSpace.of(gram, train) : null;
        Problem problem = new Problem();
        problem.l = train.length;
        problem.n = space == null ? rows[0].length : train.length;
        problem.bias = -1;
        problem.x = new Feature[train.length][];
        problem.y = new double[train.length];
        for (int j = 0; j < train.length; j++) {
            problem.x[j] = sparse(space == null ? rows[train[j]] : space.cholesky()[j]);
            problem.y[j] = labels[train[j]];
        }
        Model model = Linear.train(problem, new Parameter(solver, c, eps));
        for (int i = 0; i < labels.length; i++) {
            if (fold[i] == heldOut) {
                Feature[] row = sparse(space == null ? rows[i] : space.coordinates(gram[i]));
                probabilities[i] = classProbabilities(model, row, numClasses);
            }
        }
    }

    /**
     * A fold's coordinates in the span of its training rows, used when there are fewer of them than dimensions. The
     * L2-regularised optimum lies in that span (a part of w outside it changes no training score and only adds to
     * |w|^2), so with an orthonormal basis Q of it, w = Q b, |w| = |b| and x.w = (Q'x).b: the same objective in as
     * many dimensions as rows, hence the same probabilities. Q is never formed: with the training rows' Gram matrix
     * X X' = L L' (Cholesky), Q = X' L^-T, so a training row's coordinates are its row of L, and a held-out row x's
     * are L^-1 (X x), whose right side is x's column of the Gram matrix of all rows. A few hundred images' 1,025
     * dense dimensions become a triangular matrix of a few hundred, and no fold computes a dot product of features.
     */
    private record RowSpace(int[] train, double[][] cholesky) {
        /** @return null when a training row is (nearly) in the span of the ones before it: solve in full then */
        static RowSpace of(double[][] gram, int[] train) {
            int n = train.length;
            double[][] l = new double[n][];
            for (int i = 0; i < n; i++) {
                l[i] = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    double sum = gram[train[i]][train[j]];
                    for (int k = 0; k < j; k++) {
                        sum -= l[i][k] * l[j][k];
                    }
                    if (j < i) {
                        l[i][j] = sum / l[j][j];
                    } else if (sum > 1e-10 * gram[train[i]][train[i]]) {
                        l[i][i] = Math.sqrt(sum);
                    } else {
                        return null;
                    }
                }
            }
            return new RowSpace(train, l);
        }

        /** @param gramColumn the row's dot products with every row */
        double[] coordinates(double[] gramColumn) {
            double[] z = new double[train.length];
            for (int i = 0; i < z.length; i++) {
                double sum = gramColumn[train[i]];
                for (int k = 0; k < i; k++) {
                    sum -= cholesky[i][k] * z[k];
                }
                z[i] = sum / cholesky[i][i];
            }
            return z;
        }
    }

    /** Every pair's dot product; four partial sums, so the additions do not wait on one another. */
    private static double[][] gram(double[][] rows) {
        double[][] gram = new double[rows.length][rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j <= i; j++) {
                double[] a = rows[i];
                double[] b = rows[j];
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int k = 0;
                for (; k + 3 < a.length; k += 4) {
                    s0 += a[k] * b[k];
                    s1 += a[k + 1] * b[k + 1];
                    s2 += a[k + 2] * b[k + 2];
                    s3 += a[k + 3] * b[k + 3];
                }
                for (; k < a.length; k++) {
                    s0 += a[k] * b[k];
                }
                gram[i][j] = (s0 + s1) + (s2 + s3);
                gram[j][i] = gram[i][j];
            }
        }
        return gram;
    }

    /**
     * The row with a constant 1 last: scikit-learn's intercept_scaling=1, a feature whose weight is the intercept
     * (regularised with the others, as there).
     */
    private static double[] withBias(float[] features) {
        double[] row = new double[features.length + 1];
        for (int j = 0; j < features.length; j++) {
            row[j] = features[j];
        }
        row[features.length] = 1;
        return row;
    }

    /** liblinear takes sparse rows with 1-based indices; DenseNet's post-ReLU features have many zeros to leave out. */
    private static Feature[] sparse(double[] row) {
        List<Feature> nonZero = new ArrayList<>(row.length);
        for (int j = 0; j < row.length; j++) {
            if (row[j] != 0) {
                nonZero.add(new FeatureNode(j + 1, row[j]));
            }
        }
        return nonZero.toArray(Feature[]::new);
    }

    /** liblinear numbers classes in order of first appearance; this puts them back in class-index order. */
    private static double[] classProbabilities(Model model, Feature[] row, int numClasses) {
        double[] byModel = new double[model.getNrClass()];
        Linear.predictProbability(model, row, byModel);
        double[] byClass = new double[numClasses];
        int[] modelLabels = model.getLabels();
        for (int j = 0; j < modelLabels.length; j++) {
            byClass[modelLabels[j]] = byModel[j];
        }
        return byClass;
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
