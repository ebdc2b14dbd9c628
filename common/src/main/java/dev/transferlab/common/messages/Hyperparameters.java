package dev.transferlab.common.messages;

/**
 * What a training job may tune. Defaults are the tutorial's recipe (Adam 1e-3, batch 400, 10 epochs, 500 hidden units).
 *
 * @param validationFraction    of every class's training images held out for validation, when the dataset lacks
 *                              {@code val/} or {@code test/} (see {@link #testFractionOrDefault()})
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
        Integer earlyStoppingPatience,
        Double testFraction) {

    public static final int DEFAULT_EPOCHS = 10;
    public static final int DEFAULT_BATCH_SIZE = 400;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final int DEFAULT_HIDDEN_UNITS = 500;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final double DEFAULT_TEST_FRACTION = 0.2;

    // The ranges every service holds a job to (the API's request annotations name the same constants).
    public static final int MAX_EPOCHS = 1000;
    public static final int MAX_BATCH_SIZE = 65536;
    public static final double MAX_LEARNING_RATE = 10;
    public static final int MAX_HIDDEN_UNITS = 65536;
    public static final double MAX_VALIDATION_FRACTION = 0.9;
    public static final int MAX_EARLY_STOPPING_PATIENCE = 1000;

    /** Without a test fraction: the default one. */
    public Hyperparameters(int epochs, int batchSize, double learningRate, int hiddenUnits, double validationFraction,
            long seed, Integer earlyStoppingPatience) {
        this(epochs, batchSize, learningRate, hiddenUnits, validationFraction, seed, earlyStoppingPatience, null);
    }

    public static Hyperparameters defaults() {
        return new Hyperparameters(DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE,
                DEFAULT_HIDDEN_UNITS, DEFAULT_VALIDATION_FRACTION, 0L, null);
    }

    /**
     * Of every class's images held out for test when the dataset has neither {@code val/} nor {@code test/}; a dataset
     * with one of them tests on that folder instead. Absent: {@link #DEFAULT_TEST_FRACTION}.
     */
    public double testFractionOrDefault() {
        return testFraction == null ? DEFAULT_TEST_FRACTION : testFraction;
    }

    /**
     * @throws InvalidFieldException naming the first field out of its range, as {@code <prefix>.<field>}
     */
    public Hyperparameters requireInRange(String prefix) {
        within(prefix + ".epochs", epochs, 1, MAX_EPOCHS);
        within(prefix + ".batchSize", batchSize, 1, MAX_BATCH_SIZE);
        within(prefix + ".hiddenUnits", hiddenUnits, 1, MAX_HIDDEN_UNITS);
        if (earlyStoppingPatience != null) {
            within(prefix + ".earlyStoppingPatience", earlyStoppingPatience, 1, MAX_EARLY_STOPPING_PATIENCE);
        }
        if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) {
            throw new InvalidFieldException(prefix + ".learningRate", "must be above 0 and at most "
                    + MAX_LEARNING_RATE + ", got " + learningRate);
        }
        if (!(validationFraction >= 0 && validationFraction <= MAX_VALIDATION_FRACTION)) {
            throw new InvalidFieldException(prefix + ".validationFraction", "must be between 0 and "
                    + MAX_VALIDATION_FRACTION + ", got " + validationFraction);
        }
        double test = testFractionOrDefault();
        if (!(test >= 0 && test + validationFraction <= MAX_VALIDATION_FRACTION)) {
            throw new InvalidFieldException(prefix + ".testFraction", "must be at least 0, and with validationFraction"
                    + " at most " + MAX_VALIDATION_FRACTION + ", got " + test);
        }
        return this;
    }

    private static void within(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidFieldException(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }
}
