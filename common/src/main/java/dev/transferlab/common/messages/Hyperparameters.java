package dev.transferlab.common.messages;

/**
 * What a training job may tune. Defaults are the tutorial's recipe (Adam 1e-3, batch 400, 10 epochs, 500 hidden units).
 *
 * @param earlyStoppingPatience stop once this many consecutive epochs have not beaten the best validation loss so far
 *                              (training loss without a validation set); null trains every epoch (the tutorial's
 *                              behaviour, and what messages without the field mean)
 */
public record Hyperparameters(
        int epochs,
        int batchSize,
        double learningRate,
        int hiddenUnits,
        double validationFraction,
        long seed,
        Integer earlyStoppingPatience) {

    public static final int DEFAULT_EPOCHS = 10;
    public static final int DEFAULT_BATCH_SIZE = 400;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final int DEFAULT_HIDDEN_UNITS = 500;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;

    public static Hyperparameters defaults() {
        return new Hyperparameters(DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE,
                DEFAULT_HIDDEN_UNITS, DEFAULT_VALIDATION_FRACTION, 0L, null);
    }
}
