package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.SearchDimension;
import dev.transferlab.common.messages.SweepMetric;
import dev.transferlab.common.messages.SweepStrategy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.Map;

/**
 * The body of {@code POST /v1/sweeps}.
 *
 * @param base      a training job's body ({@code POST /v1/training-jobs}): the dataset, backbone, preprocessing and
 *                  the hyperparameters every trial starts from
 * @param space     per hyperparameter (its name in {@code base}), the values to try
 * @param strategy  grid, random or successive halving
 * @param maxTrials the trial budget
 * @param metric    {@code validation-loss} (the default) or {@code validation-accuracy}
 */
public record SweepSubmission(
        @NotNull(message = "is required: a training job's body, with the dataset") @Valid TrainingJobSubmission base,
        @NotNull(message = "is required: the hyperparameters to search") Map<String, SearchDimension> space,
        @NotNull(message = "is required: grid, random or successive-halving") SweepStrategy strategy,
        @NotNull(message = "is required: the most trials to run") @Min(1)
        @Max(dev.transferlab.common.messages.SweepRequest.MAX_TRIALS) Integer maxTrials,
        SweepMetric metric) {
}
