package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Set;

/**
 * What a training job may tune. Defaults are the tutorial's recipe (Adam 1e-3, batch 400, 10 epochs, 500 hidden units).
 *
 * @param validationFraction    of every class's training images held out for validation, when the dataset lacks
 *                              {@code val/} or {@code test/} (see {@link #testFractionOrDefault()})
 * @param earlyStoppingPatience stop once this many consecutive epochs have not beaten the best validation loss so far
 *                              (training loss without a validation set); null trains every epoch (the tutorial's
 *                              behaviour, and what messages without the field mean)
 * <p>
 * The head options after {@code testFraction} are all off when null, as in messages written before they existed, and
 * are then left out of the JSON, so a job without them reads and hashes as it always did.
 *
 * @param classWeights   weights of the classes in the loss, "balanced" or per class name (see {@link ClassWeights})
 * @param weightDecay    AdamW's decoupled weight decay (torch.optim.AdamW); null: plain Adam
 * @param dropout        probability of zeroing a hidden unit after the ReLU while training (nn.Dropout)
 * @param labelSmoothing as CrossEntropyLoss(label_smoothing=...)
 * @param lrSchedule     {@value #STEP} (times {@code lrGamma} every {@code lrStepSize} epochs) or {@value #COSINE}
 *                       (cosine annealing to the last planned epoch); stepped once per epoch
 * @param warmupEpochs   epochs of linear warmup before the schedule (or the constant rate) starts: epoch k of W trains
 *                       at learningRate * k / (W + 1)
 */
public record Hyperparameters(
        int epochs,
        int batchSize,
        double learningRate,
        int hiddenUnits,
        double validationFraction,
        long seed,
        Integer earlyStoppingPatience,
        Double testFraction,
        @JsonInclude(JsonInclude.Include.NON_NULL) ClassWeights classWeights,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double weightDecay,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double dropout,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double labelSmoothing,
        @JsonInclude(JsonInclude.Include.NON_NULL) String lrSchedule,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer lrStepSize,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double lrGamma,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer warmupEpochs) {

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
    public static final double MAX_WEIGHT_DECAY = 1;
    public static final String STEP = "step";
    public static final String COSINE = "cosine";
    /** torch's StepLR default. */
    public static final double DEFAULT_LR_GAMMA = 0.1;

    /** Without a test fraction: the default one. */
    public Hyperparameters(int epochs, int batchSize, double learningRate, int hiddenUnits, double validationFraction,
            long seed, Integer earlyStoppingPatience) {
        this(epochs, batchSize, learningRate, hiddenUnits, validationFraction, seed, earlyStoppingPatience, null);
    }

    /** Without any head option: the tutorial's loss, optimiser and constant learning rate. */
    public Hyperparameters(int epochs, int batchSize, double learningRate, int hiddenUnits, double validationFraction,
            long seed, Integer earlyStoppingPatience, Double testFraction) {
        this(epochs, batchSize, learningRate, hiddenUnits, validationFraction, seed, earlyStoppingPatience,
                testFraction, null, null, null, null, null, null, null, null);
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

    /** The schedule's decay factor: absent, {@link #DEFAULT_LR_GAMMA}. */
    public double lrGammaOrDefault() {
        return lrGamma == null ? DEFAULT_LR_GAMMA : lrGamma;
    }

    /**
     * @param prefix the fields' parent path ({@code hyperparameters}), or "" where they are top-level fields
     * @throws InvalidFieldException naming the first field out of its range, as {@code <prefix>.<field>}
     */
    public Hyperparameters requireInRange(String prefix) {
        within(field(prefix, "epochs"), epochs, 1, MAX_EPOCHS);
        within(field(prefix, "batchSize"), batchSize, 1, MAX_BATCH_SIZE);
        within(field(prefix, "hiddenUnits"), hiddenUnits, 1, MAX_HIDDEN_UNITS);
        if (earlyStoppingPatience != null) {
            within(field(prefix, "earlyStoppingPatience"), earlyStoppingPatience, 1, MAX_EARLY_STOPPING_PATIENCE);
        }
        if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) {
            throw new InvalidFieldException(field(prefix, "learningRate"), "must be above 0 and at most "
                    + MAX_LEARNING_RATE + ", got " + learningRate);
        }
        if (!(validationFraction >= 0 && validationFraction <= MAX_VALIDATION_FRACTION)) {
            throw new InvalidFieldException(field(prefix, "validationFraction"), "must be between 0 and "
                    + MAX_VALIDATION_FRACTION + ", got " + validationFraction);
        }
        double test = testFractionOrDefault();
        if (!(test >= 0 && test + validationFraction <= MAX_VALIDATION_FRACTION)) {
            throw new InvalidFieldException(field(prefix, "testFraction"), "must be at least 0, and with "
                    + "validationFraction at most " + MAX_VALIDATION_FRACTION + ", got " + test);
        }
        requireHeadOptionsInRange(prefix);
        return this;
    }

    private void requireHeadOptionsInRange(String prefix) {
        if (classWeights != null) {
            classWeights.requireValid(field(prefix, "classWeights"));
        }
        between(field(prefix, "weightDecay"), weightDecay, 0, MAX_WEIGHT_DECAY, true);
        between(field(prefix, "dropout"), dropout, 0, 1, false);
        between(field(prefix, "labelSmoothing"), labelSmoothing, 0, 1, true);
        if (lrSchedule != null && !Set.of(STEP, COSINE).contains(lrSchedule)) {
            throw new InvalidFieldException(field(prefix, "lrSchedule"), "must be '" + STEP + "' or '" + COSINE
                    + "', got '" + lrSchedule + "'");
        }
        boolean step = STEP.equals(lrSchedule);
        if (step && lrStepSize == null) {
            throw new InvalidFieldException(field(prefix, "lrStepSize"), "is required with lrSchedule 'step': the"
                    + " number of epochs between two decays");
        }
        if (!step && lrStepSize != null) {
            throw new InvalidFieldException(field(prefix, "lrStepSize"), "is only for lrSchedule 'step'");
        }
        if (!step && lrGamma != null) {
            throw new InvalidFieldException(field(prefix, "lrGamma"), "is only for lrSchedule 'step'");
        }
        if (lrStepSize != null) {
            within(field(prefix, "lrStepSize"), lrStepSize, 1, MAX_EPOCHS);
        }
        if (lrGamma != null && !(lrGamma > 0 && lrGamma <= 1)) {
            throw new InvalidFieldException(field(prefix, "lrGamma"), "must be above 0 and at most 1, got " + lrGamma);
        }
        if (warmupEpochs != null && (warmupEpochs < 1 || warmupEpochs >= epochs)) {
            throw new InvalidFieldException(field(prefix, "warmupEpochs"), "must be at least 1 and below epochs ("
                    + epochs + "), got " + warmupEpochs);
        }
    }

    private static String field(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static void between(String field, Double value, double min, double max, boolean maxIncluded) {
        if (value != null && !(value >= min && (maxIncluded ? value <= max : value < max))) {
            throw new InvalidFieldException(field, "must be at least " + min + " and " + (maxIncluded ? "at most "
                    : "below ") + max + ", got " + value);
        }
    }

    private static void within(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidFieldException(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }
}
