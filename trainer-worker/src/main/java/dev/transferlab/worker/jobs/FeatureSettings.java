package dev.transferlab.worker.jobs;

import dev.transferlab.worker.ml.DecodeBudget;

import java.time.Duration;

/**
 * How a worker computes features.
 *
 * @param batchSize        images per backbone forward pass
 * @param decodeThreads    threads decoding and preprocessing images, usually the number of cores
 * @param progressInterval the shortest time between two extraction-progress events of a job
 * @param decodeBudget     the memory image decoding may take, shared with the worker's predictions
 */
public record FeatureSettings(int batchSize, int decodeThreads, Duration progressInterval, DecodeBudget decodeBudget) {
}
