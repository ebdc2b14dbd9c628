package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;

/** Sums over one epoch's batches, for its mean loss (a mean of batch means, as the tutorial reports) and accuracy. */
final class BatchTotals {

    private double loss;
    private long correct;
    private long examples;
    private int batches;

    /** Takes a batch's mean loss, its log-probabilities (one row per example) and its labels. */
    void add(NDArray batchLoss, NDArray predictions, NDArray labels) {
        loss += batchLoss.getFloat();
        correct += predictions.argMax(1).eq(labels).countNonzero().getLong();
        examples += labels.size();
        batches++;
    }

    boolean isEmpty() {
        return batches == 0;
    }

    double meanLoss() {
        return batches == 0 ? Double.NaN : loss / batches;
    }

    double accuracy() {
        return examples == 0 ? Double.NaN : (double) correct / examples;
    }
}
