package dev.transferlab.worker.ml;

import ai.djl.engine.EngineException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Finds the batch size at which a backbone turns images into features fastest on this machine. Each candidate size,
 * smallest first, runs one warm-up batch of synthetic images (a new shape costs the engine its first pass) and one
 * timed batch; the best images per second wins. Bounded in time: before a candidate, its two batches' cost is
 * predicted from the last timed batch's seconds per image (not the warm-up's: the very first one also pays for the
 * engine's start), and the calibration stops when that prediction would take it past the budget, so it overruns the
 * budget by at most one candidate's misprediction. Bounded in memory: a candidate the engine cannot
 * allocate (a GPU's out-of-memory) ends it, and the sizes that fitted are the choice.
 */
public final class BatchSizeCalibration {
    /** On a CPU throughput peaks at small batches (README, "Batch size and precision"). */
    public static final List<Integer> CPU_CANDIDATES = List.of(1, 2, 4, 8, 16, 32);
    /** Decoded images wait on the heap, 0.6 MB each at 224: 256 keeps a job's batches near 300 MB. */
    public static final List<Integer> GPU_CANDIDATES = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256);
    public static final Duration BUDGET = Duration.ofSeconds(5);

    private final List<Integer> candidates;
    private final int imageSide;
    private final long budgetNanos;

    /** @param candidates batch sizes to try, ascending; @param imageSide the side of the square images, 224 for jobs */
    public BatchSizeCalibration(List<Integer> candidates, int imageSide, Duration budget) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate batch sizes");
        }
        this.candidates = List.copyOf(candidates);
        this.imageSide = imageSide;
        this.budgetNanos = budget.toNanos();
    }

    /** The candidates for a backbone's device, measured against {@link #BUDGET}. */
    public static BatchSizeCalibration forDevice(Backbone backbone, int imageSide) {
        return new BatchSizeCalibration(backbone.device().isGpu() ? GPU_CANDIDATES : CPU_CANDIDATES, imageSide,
                BUDGET);
    }

    /** One candidate, two batches run: its timed batch took {@code seconds}, after a warm-up batch. */
    public record Trial(int batchSize, double seconds) {
        public double imagesPerSecond() {
            return batchSize / seconds;
        }
    }

    /** @param stop why the candidates after the last trial were not tried, or null when all were */
    public record Result(int batchSize, List<Trial> trials, String stop) {

        /** What the worker logs: one line per trial, the chosen one marked. */
        public String table() {
            StringBuilder table = new StringBuilder("batch  images/s  s/batch\n");
            for (Trial trial : trials) {
                table.append(String.format(Locale.ROOT, "%5d  %8.2f  %7.3f%s%n", trial.batchSize(),
                        trial.imagesPerSecond(), trial.seconds(), trial.batchSize() == batchSize ? "  <- chosen" : ""));
            }
            return table.append(stop == null ? "all candidates tried" : stop).toString();
        }
    }

    public Result run(Backbone backbone) {
        long start = System.nanoTime();
        float[] image = image();
        List<Trial> trials = new ArrayList<>();
        Trial best = null;
        double lastSecondsPerImage = 0;
        String stop = null;
        for (int size : candidates) {
            if (!trials.isEmpty()) {
                long predicted = (long) (2 * lastSecondsPerImage * size * 1e9);
                if (System.nanoTime() - start + predicted > budgetNanos) {
                    stop = "stopped before batch " + size + ": it would pass the "
                            + Duration.ofNanos(budgetNanos).toMillis() + " ms budget";
                    break;
                }
            }
            List<float[]> images = Collections.nCopies(size, image);
            double seconds;
            try {
                backbone.features(images);
                long timed = System.nanoTime();
                backbone.features(images);
                seconds = (System.nanoTime() - timed) / 1e9;
            } catch (EngineException e) {
                if (trials.isEmpty() || !outOfMemory(e)) {
                    throw e;
                }
                stop = "stopped at batch " + size + ": it does not fit in memory (" + e.getMessage().lines()
                        .findFirst().orElse("") + ")";
                break;
            }
            lastSecondsPerImage = seconds / size;
            Trial trial = new Trial(size, seconds);
            trials.add(trial);
            if (best == null || trial.imagesPerSecond() > best.imagesPerSecond()) {
                best = trial;
            }
        }
        return new Result(best.batchSize(), List.copyOf(trials), stop);
    }

    private static boolean outOfMemory(EngineException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("out of memory") || message.contains("can't allocate memory");
    }

    /** Standard normal pixels, one image for every place in a batch: the backbone's speed does not depend on them. */
    private float[] image() {
        Random random = new Random(0);
        float[] image = new float[3 * imageSide * imageSide];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        return image;
    }
}
