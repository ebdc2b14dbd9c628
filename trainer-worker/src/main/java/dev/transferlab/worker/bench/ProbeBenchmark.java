package dev.transferlab.worker.bench;

import de.bwaldvogel.liblinear.SolverType;
import dev.transferlab.worker.ml.LinearProbe;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Time of the learnability baseline's cross-validated probe ({@link LinearProbe#crossValidate}, 10 classes, 5 folds)
 * with each solver option, on generated features shaped like DenseNet121's with random weights (1,024 non-negative
 * dimensions, a large component common to every image, squared row norms about 1,700 where real ones had 1,400, a
 * probe accuracy near the 0.67 measured on real ones at 300 images), so that no backbone has to run first.
 * {@code [IMAGES ...]} (default 300 2000); bench/probe.sh runs it.
 */
public final class ProbeBenchmark {
    private static final int DIMS = 1024;
    private static final int CLASSES = 10;
    private static final int FOLDS = 5;
    private static final int LATENT = 48;

    private record Option(String name, LinearProbe probe) {
    }

    private ProbeBenchmark() {
    }

    public static void main(String[] args) {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Option> options = List.of(
                new Option("dual, eps 1e-4, 1 thread", new LinearProbe(SolverType.L2R_LR_DUAL, 1, 1e-4, 1)),
                new Option("primal, eps 1e-4, 1 thread", new LinearProbe(SolverType.L2R_LR, 1, 1e-4, 1)),
                new Option("primal, eps 0.01, 1 thread", new LinearProbe(SolverType.L2R_LR, 1, 0.01, 1)),
                new Option("primal, eps 0.1, 1 thread", new LinearProbe(SolverType.L2R_LR, 1, 0.1, 1)),
                new Option("primal, eps 0.01, " + cores + " threads (the job's)",
                        new LinearProbe(LinearProbe.DEFAULT_C, LinearProbe.DEFAULT_EPS)));
        int[] sizes = args.length == 0 ? new int[] {300, 2000} : Arrays.stream(args).mapToInt(Integer::parseInt)
                .toArray();
        for (int images : sizes) {
            Random random = new Random(images);
            int[] labels = new int[images];
            Arrays.setAll(labels, i -> i % CLASSES);
            float[][] features = features(labels, random);
            double norm = Arrays.stream(features).mapToDouble(ProbeBenchmark::squaredNorm).average().orElseThrow();
            int[] fold = LinearProbe.stratifiedFolds(labels, CLASSES, FOLDS, 0);
            System.out.printf(Locale.ROOT, "%d images, %d dims, mean squared row norm %.0f%n", images, DIMS, norm);
            for (Option option : options) {
                long start = System.nanoTime();
                LinearProbe.Result result = option.probe().crossValidate(features, labels, CLASSES, fold, FOLDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "  %s: %.2f s, out-of-fold accuracy %.3f%n", option.name(), seconds,
                        Arrays.stream(result.foldAccuracies()).average().orElseThrow());
            }
        }
    }

    /**
     * A common positive profile scaled per image, plus class and image variation in a low-dimensional latent space
     * mapped to every dimension (random networks' features are strongly correlated), through a ReLU.
     */
    private static float[][] features(int[] labels, Random random) {
        double[] profile = new double[DIMS];
        Arrays.setAll(profile, j -> Math.abs(0.8 + 0.5 * random.nextGaussian()));
        double[][] mixing = new double[LATENT][DIMS];
        for (double[] row : mixing) {
            Arrays.setAll(row, j -> 0.12 * random.nextGaussian());
        }
        double[][] centres = new double[CLASSES][LATENT];
        for (double[] centre : centres) {
            Arrays.setAll(centre, k -> 0.4 * random.nextGaussian());
        }
        float[][] features = new float[labels.length][DIMS];
        for (int i = 0; i < labels.length; i++) {
            double level = 1 + 0.25 * random.nextGaussian();
            double[] latent = new double[LATENT];
            int label = labels[i];
            Arrays.setAll(latent, k -> centres[label][k] + random.nextGaussian());
            for (int j = 0; j < DIMS; j++) {
                double value = level * profile[j] + 0.05 * random.nextGaussian();
                for (int k = 0; k < LATENT; k++) {
                    value += latent[k] * mixing[k][j];
                }
                features[i][j] = (float) Math.max(0, value);
            }
        }
        return features;
    }

    private static double squaredNorm(float[] row) {
        double sum = 0;
        for (float v : row) {
            sum += v * v;
        }
        return sum;
    }
}
