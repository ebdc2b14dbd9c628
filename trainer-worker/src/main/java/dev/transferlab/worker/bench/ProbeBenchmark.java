package dev.transferlab.worker.bench;

import de.bwaldvogel.liblinear.SolverType;
import dev.transferlab.worker.ml.LinearProbe;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Time of the learnability baseline's cross-validated probe ({@link LinearProbe#crossValidate}, 10 classes, 5 folds)
 * with each solver option, on {@link GeneratedFeatures}, so that no backbone has to run first.
 * {@code [IMAGES ...]} (default 300 2000); bench/probe.sh runs it.
 */
public final class ProbeBenchmark {
    private static final int CLASSES = 10;
    private static final int FOLDS = 5;

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
            float[][] features = GeneratedFeatures.of(labels, CLASSES, random);
            double norm = Arrays.stream(features).mapToDouble(ProbeBenchmark::squaredNorm).average().orElseThrow();
            int[] fold = LinearProbe.stratifiedFolds(labels, CLASSES, FOLDS, 0);
            System.out.printf(Locale.ROOT, "%d images, %d dims, mean squared row norm %.0f%n", images,
                    GeneratedFeatures.DIMS, norm);
            for (Option option : options) {
                long start = System.nanoTime();
                LinearProbe.Result result = option.probe().crossValidate(features, labels, CLASSES, fold, FOLDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "  %s: %.2f s, out-of-fold accuracy %.3f%n", option.name(), seconds,
                        Arrays.stream(result.foldAccuracies()).average().orElseThrow());
            }
        }
    }

    private static double squaredNorm(float[] row) {
        double sum = 0;
        for (float v : row) {
            sum += v * v;
        }
        return sum;
    }
}
