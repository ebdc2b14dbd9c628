package dev.transferlab.common.messages;

/** What one epoch of head training measured. Losses are batch means of the NLL loss. */
public record EpochMetrics(
        int epoch,
        int epochs,
        double trainLoss,
        double validationLoss,
        double validationAccuracy,
        double imagesPerSecond,
        double seconds,
        double learningRate) {
}
