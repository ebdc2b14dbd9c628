package dev.transferlab.worker.ml;

import dev.transferlab.common.messages.EpochMetrics;

/**
 * How a running head training talks to its job. Both methods run on the training thread. Whatever either throws
 * stops training and propagates out of {@link HeadTrainer#train} as it was thrown, once the trainer has released its
 * native memory.
 */
@FunctionalInterface
public interface TrainingHooks {

    /**
     * Called before every training batch, so a job can cancel within one batch by throwing from here. Nothing of the
     * batch has happened yet; the last checkpoint handed to {@link #onEpoch} stays the state to resume from.
     */
    default void beforeBatch() {
    }

    /**
     * Called after each epoch with its metrics and a checkpoint taken after it. The checkpoint is a heap copy that
     * later epochs do not touch, so it may be kept, serialised or stored asynchronously.
     */
    void onEpoch(EpochMetrics metrics, HeadCheckpoint checkpoint);
}
