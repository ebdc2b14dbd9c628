package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.ml.HeadCheckpoint;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * A job's checkpoint uploads, off its training thread: the next epoch trains while the last one's checkpoint is
 * serialised and stored. The epoch's own event is sent by the training thread before its checkpoint is handed over
 * here, so it reaches clients as the epoch ends and a checkpoint is never stored for an epoch nobody was told about (a
 * crash in between repeats the epoch under the same event id). A checkpoint that a newer one replaces before its turn
 * is not stored: each holds the whole state to resume from, and an S3 PUT replaces the object atomically, so the
 * stored checkpoint is always a whole one. The object store's retries ride out an outage here as they did on the
 * training thread; a PUT that still fails fails the job at its next epoch. A job that completes stores no checkpoint
 * still queued when its model is stored: it would be deleted right away.
 */
final class CheckpointUploads implements AutoCloseable {
    /** Far beyond the object store's own retries and timeouts; reached, the job fails rather than hangs. */
    private static final long WAIT_MINUTES = 10;

    private final CheckpointStore store;
    private final TrainingRequest job;
    private final IntConsumer checkpointed;
    private final ExecutorService thread;
    private final AtomicReference<HeadCheckpoint> newest = new AtomicReference<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean abandoned;
    private volatile int storedEpoch;

    /** @param checkpointed announces that the checkpoint of an epoch is stored */
    CheckpointUploads(CheckpointStore store, TrainingRequest job, IntConsumer checkpointed) {
        this.store = store;
        this.job = job;
        this.checkpointed = checkpointed;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "checkpoints-" + job.jobId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues an epoch's checkpoint, replacing one still waiting.
     *
     * @throws RuntimeException what an earlier upload failed with: the job fails with it
     */
    void upload(HeadCheckpoint checkpoint) {
        throwIfFailed();
        if (newest.getAndSet(checkpoint) != null) {
            return; // the task queued for the one it replaced stores this one
        }
        thread.execute(() -> {
            HeadCheckpoint next = newest.getAndSet(null);
            if (abandoned || next == null || failure.get() != null) {
                return;
            }
            try {
                store.save(job, next);
                storedEpoch = next.epoch();
                checkpointed.accept(next.epoch());
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** The job resumes from the stored checkpoint of this epoch. */
    void alreadyStored(int epoch) {
        storedEpoch = epoch;
    }

    /** The epoch of the checkpoint stored last (0 for none), the one a resumed job continues after. */
    int storedEpoch() {
        return storedEpoch;
    }

    /**
     * Waits until the newest checkpoint is stored and announced.
     *
     * @throws RuntimeException what an upload failed with
     */
    void finish() {
        awaitTermination();
        throwIfFailed();
    }

    /** Begins no upload from now on, without waiting for the one under way: the checkpoints are no longer needed. */
    void stopUploading() {
        abandoned = true;
    }

    /**
     * Begins no upload and waits for the one under way, so that nothing of the job lands in storage afterwards (a
     * cancelled job's checkpoint, once deleted, stays deleted).
     */
    void abandon() {
        stopUploading();
        awaitTermination();
    }

    @Override
    public void close() {
        abandon();
    }

    private void awaitTermination() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(WAIT_MINUTES, TimeUnit.MINUTES)) {
                failure.compareAndSet(null, new IllegalStateException("job " + job.jobId() + ": its checkpoint upload "
                        + "did not end within " + WAIT_MINUTES + " minutes"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new IllegalStateException("job " + job.jobId()
                    + ": interrupted while waiting for its checkpoint upload", e));
        }
    }

    private void throwIfFailed() {
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw failed;
        }
    }
}
