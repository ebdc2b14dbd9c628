package dev.transferlab.worker.ml;

import dev.transferlab.common.messages.EpochMetrics;

/** Hears about each finished epoch. Throwing stops training, and the exception reaches the trainer's caller. */
@FunctionalInterface
public interface EpochListener {

    void onEpoch(EpochMetrics metrics);
}
