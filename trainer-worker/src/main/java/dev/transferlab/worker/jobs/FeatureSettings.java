package dev.transferlab.worker.jobs;

import dev.transferlab.worker.ml.DecodeBudget;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * How a worker computes features.
 *
 * @param batchSize        images per backbone forward pass
 * @param decodeThreads    threads decoding and preprocessing images, usually the number of cores
 * @param progressInterval the shortest time between two extraction-progress events of a job
 * @param decodeBudget     the memory image decoding may take, shared with the worker's predictions
 */
public record FeatureSettings(int batchSize, int decodeThreads, Duration progressInterval, DecodeBudget decodeBudget) {
    public static final String BATCH_SIZE = "transferlab.features.batch-size";

    /**
     * The {@value #BATCH_SIZE} setting: a positive integer pins the batch size; "auto" (empty here) leaves it to the
     * worker's calibration at start. Anything else is a configuration error.
     */
    public static OptionalInt pinnedBatchSize(String setting) {
        String value = setting == null ? "" : setting.trim();
        if (value.equalsIgnoreCase("auto")) {
            return OptionalInt.empty();
        }
        try {
            int size = Integer.parseInt(value);
            if (size > 0) {
                return OptionalInt.of(size);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(BATCH_SIZE + " must be 'auto' (calibrated when the worker starts) or a "
                + "positive number of images, not '" + setting + "'");
    }
}
