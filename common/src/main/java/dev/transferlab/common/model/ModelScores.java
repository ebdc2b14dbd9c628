package dev.transferlab.common.model;

/**
 * What the stored model scored, beside the last epoch. The stored model is the epoch with the lowest validation loss
 * (training loss without a validation set), so the two differ whenever later epochs got worse; test is never used to
 * choose it, so its figures for the best epoch are an unbiased estimate.
 */
public record ModelScores(EpochScores best, EpochScores last) {

    /**
     * @param validationLoss the epoch's validation loss as its epoch-completed event gave it (a mean of batch means)
     * @param testImages     0 when the job has no test set; the test figures are then null
     * @param testLoss       mean over the test images of -log p(true class)
     */
    public record EpochScores(int epoch, double validationLoss, double validationAccuracy, int testImages,
                              Double testLoss, Double testAccuracy) {
    }
}
