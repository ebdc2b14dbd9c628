package dev.transferlab.worker.jobs;

import java.time.Duration;
import java.util.Optional;

/**
 * A worker that is shutting down drains: it starts no more jobs, and the job it runs stops at its next batch
 * boundary (the same points where cancellations are checked) and is released, not cancelled: its last epoch
 * checkpoint stays for the worker that takes the job over.
 */
public final class Draining {
    private boolean draining;
    private String running;

    /** Takes the worker's job slot for this job; false once draining began, and then the job must not start. */
    synchronized boolean enter(String jobId) {
        if (draining) {
            return false;
        }
        running = jobId;
        return true;
    }

    synchronized void exit() {
        running = null;
        notifyAll();
    }

    public synchronized boolean isDraining() {
        return draining;
    }

    /** Called at every batch boundary of a job, and between the layers of its backbone being built. */
    void throwIfDraining(String jobId) {
        if (isDraining()) {
            throw new JobReleased(jobId);
        }
    }

    /**
     * Begins draining and waits until the running job, if any, has stopped and reported its release.
     *
     * @return the job still running when the timeout passed, or empty when none is
     */
    public synchronized Optional<String> drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running != null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.of(running);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Optional.empty();
    }

    /** Ends a job early because its worker is shutting down; the job runner turns it into a released event. */
    public static final class JobReleased extends JobStopped {
        JobReleased(String jobId) {
            super("job " + jobId + " was released: its worker is shutting down");
        }
    }
}
