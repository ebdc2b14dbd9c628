package dev.transferlab.worker.jobs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs someone asked to stop. Every worker learns of every cancellation (it reads the whole control topic), so a
 * job is stopped by whichever worker runs it, or refused by whichever worker takes it later. A cancellation names its
 * tenant, and stops only that tenant's job of that id: one that names another tenant stops nothing.
 */
public final class Cancellations {
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    public void cancel(String tenant, String jobId) {
        cancelled.add(key(tenant, jobId));
    }

    /** Called at every batch boundary of a job, and between the layers of its backbone being built. */
    public void throwIfCancelled(String tenant, String jobId) {
        if (cancelled.contains(key(tenant, jobId))) {
            throw new JobCancelled(jobId);
        }
    }

    /** Tenants and job ids follow the id rule (no '/'), so this is one key per pair. */
    private static String key(String tenant, String jobId) {
        return tenant + "/" + jobId;
    }

    /** Ends a job early, from any depth of its work; the job runner turns it into a cancelled event. */
    public static final class JobCancelled extends JobStopped {
        JobCancelled(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }
}
