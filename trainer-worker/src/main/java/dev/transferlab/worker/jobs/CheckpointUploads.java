package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.ml.HeadCheckpoint;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * A job's epoch events and checkpoint uploads, off its training thread: the next epoch trains while the last one is
 * announced and its checkpoint stored. One thread per job keeps them in order. An epoch's event goes out before its
 * checkpoint is stored (a crash in between repeats the epoch under the same event id instead of resuming past an epoch
 * nobody was told about), and {@code checkpointed} once the checkpoint has landed. Every epoch's event is sent, but a
 * checkpoint that a newer one replaces before its turn is not stored: each holds the whole state to resume from, and
 * an S3 PUT replaces the object atomically, so the stored checkpoint is always a whole one of an announced epoch.
 */
final class CheckpointUploads implements AutoCloseable {
    /** Far beyond the object store's own retries and timeouts; reached, the job fails rather than hangs. */
    private static final long WAIT_MINUTES = 10;

    private final CheckpointStore store;
    private final TrainingRequest job;
    private final EventSink sink;
    private final IntFunction<TrainingEvent> checkpointed;
    private final ExecutorService thread;
    private final AtomicReference<HeadCheckpoint> newest = new AtomicReference<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean abandoned;
    private volatile int landedEpoch;

    /** @param checkpointed the event that says an epoch's checkpoint is stored */
    CheckpointUploads(CheckpointStore store, TrainingRequest job, EventSink sink,
            IntFunction<TrainingEvent> checkpointed) {
        this.store = store;
        this.job = job;
        this.sink = sink;
        this.checkpointed = checkpointed;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "checkpoints-" + job.jobId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues an epoch's event (built on the training thread, so its timestamp is the epoch's end) and its checkpoint.
     *
     * @throws RuntimeException what an earlier event or upload failed with: the job fails with it
     */
    void afterEpoch(TrainingEvent epochCompleted, HeadCheckpoint checkpoint) {
        throwIfFailed();
        newest.set(checkpoint);
        thread.execute(() -> {
            if (abandoned || failure.get() != null) {
                return;
            }
            try {
                sink.publish(epochCompleted);
                if (!abandoned && newest.compareAndSet(checkpoint, null)) {
                    store.save(job, checkpoint);
                    landedEpoch = checkpoint.epoch();
                    sink.publish(checkpointed.apply(checkpoint.epoch()));
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** The job resumes from the stored checkpoint of this epoch. */
    void alreadyStored(int epoch) {
        landedEpoch = epoch;
    }

    /** The epoch of the checkpoint stored last (0 for none), the one a resumed job continues after. */
    int landedEpoch() {
        return landedEpoch;
    }

    /**
     * Waits until every queued event is sent and the newest checkpoint stored, with its event.
     *
     * @throws RuntimeException what an event or upload failed with
     */
    void finish() {
        awaitTermination();
        throwIfFailed();
    }

    /**
     * Sends and stores nothing more and waits for what is under way, so that nothing of the job lands in storage
     * afterwards (a cancelled job's checkpoint, once deleted, stays deleted). What was stored is still whole.
     */
    void abandon() {
        abandoned = true;
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
