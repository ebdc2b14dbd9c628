package dev.transferlab.api.jobs;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.model.PreprocessingSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Optional;

/**
 * The body of {@code POST /v1/training-jobs}. Absent hyperparameters take the tutorial's defaults.
 *
 * Give exactly one of {@code dataset} and {@code datasetId}. The body is read strictly ({@code StrictJson}); the
 * DenseNet knobs are bounded here one by one and together by the backbone budget ({@code BackboneBudget}).
 *
 * @param dataset               a location: {@code s3://bucket/prefix}, or a prefix in the platform bucket, holding
 *                              an ImageFolder tree
 * @param datasetId             a dataset uploaded or registered through {@code /v1/datasets}
 * @param earlyStoppingPatience epochs without a better validation loss before training stops; absent: never stop early
 * @param testFraction          of each class held out for test when the dataset has neither val/ nor test/
 * @param classWeights          and the fields after it up to {@code warmupEpochs}: the head options of
 *                              {@link Hyperparameters}, absent: off; their ranges are
 *                              {@link Hyperparameters#requireInRange}'s
 * @param featuresOnly          true: compute the dataset's features (or find them in the cache) and its learnability
 *                              baseline, train no head; absent: false
 */
public record TrainingJobSubmission(
        @Size(max = 1024) @Pattern(regexp = "^(?!.*\\.\\.).*$", message = "must not contain '..'")
        String dataset,
        @Pattern(regexp = "ds-[a-z0-9]{1,40}", message = "must be a dataset id such as ds-3f2a…") String datasetId,
        @Min(1) @Max(Hyperparameters.MAX_EPOCHS) Integer epochs,
        @Min(1) @Max(Hyperparameters.MAX_BATCH_SIZE) Integer batchSize,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("" + Hyperparameters.MAX_LEARNING_RATE)
        Double learningRate,
        @Min(1) @Max(Hyperparameters.MAX_HIDDEN_UNITS) Integer hiddenUnits,
        @DecimalMin("0") @DecimalMax("" + Hyperparameters.MAX_VALIDATION_FRACTION) Double validationFraction,
        Long seed,
        @Min(1) @Max(Hyperparameters.MAX_EARLY_STOPPING_PATIENCE) Integer earlyStoppingPatience,
        @Valid Backbone backbone,
        @Valid Preprocessing preprocessing,
        @DecimalMin("0") @DecimalMax("" + Hyperparameters.MAX_VALIDATION_FRACTION) Double testFraction,
        ClassWeights classWeights,
        Double weightDecay,
        Double dropout,
        Double labelSmoothing,
        String lrSchedule,
        Integer lrStepSize,
        Double lrGamma,
        Integer warmupEpochs,
        Boolean featuresOnly) {

    /** What a dataset upload with {@code baseline=true} submits: its features and baseline on the default backbone. */
    public static TrainingJobSubmission featuresOf(String datasetId) {
        return new TrainingJobSubmission(null, datasetId, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, true);
    }

    /**
     * {@code densenet121} is torchvision's; {@code densenet} takes the same knobs as torchvision's DenseNet class, so a
     * smaller one can be trained where DenseNet121 would be too slow (tests, demos on a laptop); {@code torchscript}
     * is the user's own module, at {@code weights}, optionally pinned to its SHA-256.
     */
    public record Backbone(
            @Pattern(regexp = "densenet121|densenet|torchscript",
                    message = "must be 'densenet121', 'densenet' or 'torchscript'") String name,
            @Min(1) @Max(128) Integer growthRate,
            @Size(min = 1, max = 8) List<@Min(1) @Max(64) Integer> blockConfig,
            @Min(1) @Max(256) Integer numInitFeatures,
            @Min(1) @Max(8) Integer bnSize,
            @Size(max = 2048)
            @Pattern(regexp = "(s3|https)://\\S+", message = "must be an s3:// or https:// location") String weights,
            @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be a SHA-256 in hex (64 digits)") String sha256) {
    }

    /**
     * Resize the shorter side to {@code resize} (the tutorial's 255 by default, or torchvision's usual 256), crop 224,
     * and normalise with the ImageNet mean and std unless {@code normalize} is false (the tutorial's exact recipe).
     */
    public record Preprocessing(@Min(224) @Max(1024) Integer resize, Boolean normalize) {
    }

    public Hyperparameters hyperparameters() {
        Hyperparameters hp = new Hyperparameters(
                Optional.ofNullable(epochs).orElse(Hyperparameters.DEFAULT_EPOCHS),
                Optional.ofNullable(batchSize).orElse(Hyperparameters.DEFAULT_BATCH_SIZE),
                Optional.ofNullable(learningRate).orElse(Hyperparameters.DEFAULT_LEARNING_RATE),
                Optional.ofNullable(hiddenUnits).orElse(Hyperparameters.DEFAULT_HIDDEN_UNITS),
                Optional.ofNullable(validationFraction).orElse(Hyperparameters.DEFAULT_VALIDATION_FRACTION),
                Optional.ofNullable(seed).orElse(0L),
                earlyStoppingPatience,
                Optional.ofNullable(testFraction).orElse(Hyperparameters.DEFAULT_TEST_FRACTION),
                classWeights, weightDecay, dropout, labelSmoothing, lrSchedule, lrStepSize, lrGamma, warmupEpochs);
        if (hp.validationFraction() + hp.testFractionOrDefault() > Hyperparameters.MAX_VALIDATION_FRACTION) {
            throw ProblemException.invalidField("testFraction", "and validationFraction together must be at most "
                    + Hyperparameters.MAX_VALIDATION_FRACTION);
        }
        // Top-level fields here, so the error names them without a prefix.
        return hp.requireInRange("");
    }

    public BackboneSpec backboneSpec() {
        BackboneSpec standard = BackboneSpec.densenet121();
        String name = backbone == null || backbone.name() == null ? BackboneSpec.DENSENET121 : backbone.name();
        boolean torchScript = BackboneSpec.TORCHSCRIPT.equals(name);
        if (torchScript != (backbone != null && backbone.weights() != null)) {
            throw torchScript
                    ? ProblemException.invalidField("backbone.weights", "is required for a torchscript backbone")
                    : ProblemException.invalidField("backbone.weights", "is only for a torchscript backbone; the "
                    + "DenseNets' weights are the workers' configuration");
        }
        if (torchScript) {
            return BackboneSpec.torchScript(backbone.weights(), backbone.sha256() == null ? null
                    : backbone.sha256().toLowerCase(java.util.Locale.ROOT));
        }
        if (BackboneSpec.DENSENET121.equals(name)) {
            return standard;
        }
        return new BackboneSpec(BackboneSpec.DENSENET,
                Optional.ofNullable(backbone.growthRate()).orElse(standard.growthRate()),
                Optional.ofNullable(backbone.blockConfig()).orElse(standard.blockConfig()),
                Optional.ofNullable(backbone.numInitFeatures()).orElse(standard.numInitFeatures()),
                Optional.ofNullable(backbone.bnSize()).orElse(standard.bnSize()));
    }

    public PreprocessingSpec preprocessingSpec() {
        PreprocessingSpec standard = PreprocessingSpec.imagenet();
        if (preprocessing == null) {
            return standard;
        }
        return PreprocessingSpec.of(Optional.ofNullable(preprocessing.resize()).orElse(standard.resize()),
                Optional.ofNullable(preprocessing.normalize()).orElse(standard.normalize()));
    }
}
