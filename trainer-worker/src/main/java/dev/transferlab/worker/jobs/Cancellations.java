package dev.transferlab.worker.jobs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs someone asked to stop. Every worker learns of every cancellation (it reads the whole control topic), so a
 * job is stopped by whichever worker runs it, or refused by whichever worker takes it later.
 */
public final class Cancellations {
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    public void cancel(String jobId) {
        cancelled.add(jobId);
    }

    public boolean isCancelled(String jobId) {
        return cancelled.contains(jobId);
    }

    /** Called at every batch boundary of a job, and between the layers of its backbone being built. */
    public void throwIfCancelled(String jobId) {
        if (isCancelled(jobId)) {
            throw new JobCancelled(jobId);
        }
    }

    /** Ends a job early, from any depth of its work; the job runner turns it into a cancelled event. */
    public static final class JobCancelled extends JobStopped {
        JobCancelled(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }
}
