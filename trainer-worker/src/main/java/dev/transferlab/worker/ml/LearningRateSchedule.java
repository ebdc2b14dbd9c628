package dev.transferlab.worker.ml;

import dev.transferlab.common.messages.Hyperparameters;

/**
 * Each epoch's learning rate, stepped once per epoch (constant within it), as torch's
 * {@code LambdaLR(optimizer, lambda e: factor(e))} stepped after every epoch computes it: {@code learningRate * factor}.
 * The factors are those of {@code SequentialLR([LinearLR(1/(W+1), 1, W), StepLR(s, gamma) or CosineAnnealingLR(T)],
 * [W])} with W warmup epochs and T = epochs - W (parity_fixtures.py checks the two agree). A function of the epoch
 * alone, so a resumed run needs no scheduler state.
 */
final class LearningRateSchedule {

    private LearningRateSchedule() {
    }

    /** The rate of epoch {@code epoch} (1-based). */
    static double at(Hyperparameters hp, int epoch) {
        int warmup = hp.warmupEpochs() == null ? 0 : hp.warmupEpochs();
        if (warmup == 0 && hp.lrSchedule() == null) {
            return hp.learningRate();
        }
        return hp.learningRate() * factor(hp, epoch - 1, warmup);
    }

    private static double factor(Hyperparameters hp, int e, int warmup) {
        if (e < warmup) {
            return (e + 1.0) / (warmup + 1.0);
        }
        int k = e - warmup;
        if (Hyperparameters.STEP.equals(hp.lrSchedule())) {
            return Math.pow(hp.lrGammaOrDefault(), Math.floorDiv(k, hp.lrStepSize()));
        }
        if (Hyperparameters.COSINE.equals(hp.lrSchedule())) {
            return (1 + Math.cos(Math.PI * k / (hp.epochs() - warmup))) / 2;
        }
        return 1.0;
    }
}
