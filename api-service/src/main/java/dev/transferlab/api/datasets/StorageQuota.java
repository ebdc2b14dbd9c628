package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a tenant's quota of stored dataset bytes leaves for one upload, checked as its files arrive, so that an upload
 * over it stops there and nothing of it is kept. Uploads of one tenant running at the same time on this replica
 * share one {@link Usage}, so that two of them cannot each fit alone and together exceed it.
 */
public final class StorageQuota implements AutoCloseable {
    // Storage frees up only when the tenant deletes a dataset, not by waiting; the header still tells clients that
    // retrying at once is pointless.
    private static final Duration RETRY_AFTER = Duration.ofMinutes(1);

    private final String tenant;
    private final long limit;
    private final long stored;
    private final Usage usage;
    private final long keptBeforeStart;
    private long mine;
    private boolean kept;

    /**
     * One tenant's uploads on this replica: bytes of those in progress, and bytes of those kept since the service
     * started (which an upload that listed the stored datasets before they were kept did not see).
     */
    public static final class Usage {
        private final AtomicLong inProgress = new AtomicLong();
        private final AtomicLong kept = new AtomicLong();
    }

    /**
     * @param limit  bytes of uploaded datasets the tenant may keep
     * @param stored bytes its uploaded datasets held when this upload listed them
     */
    public StorageQuota(String tenant, long limit, long stored, Usage usage) {
        this.tenant = tenant;
        this.limit = limit;
        this.stored = stored;
        this.usage = usage;
        // Read after the listing: an upload kept in between is counted twice, which errs on the safe side.
        this.keptBeforeStart = usage.kept.get();
    }

    static StorageQuota unlimited() {
        return new StorageQuota("", Long.MAX_VALUE, 0, new Usage());
    }

    /** Refuses an upload (before anything is read) when the quota is used up already. */
    public void checkRoomLeft() {
        if (used() >= limit) {
            throw exceeded();
        }
    }

    /** Counts one more file of this upload. */
    void add(long bytes) {
        mine += bytes;
        usage.inProgress.addAndGet(bytes);
        if (used() > limit) {
            throw exceeded();
        }
    }

    /** The upload's manifest is saved: its bytes stay counted once it is no longer in progress. */
    void kept() {
        kept = true;
    }

    /** The upload ended, kept or refused. */
    @Override
    public void close() {
        if (kept) {
            usage.kept.addAndGet(mine);
        }
        usage.inProgress.addAndGet(-mine);
        mine = 0;
    }

    private long used() {
        return stored + usage.kept.get() - keptBeforeStart + usage.inProgress.get();
    }

    private ProblemException exceeded() {
        return ProblemException.quotaExceeded("tenant '" + tenant + "' stores " + stored + " bytes of uploaded"
                + " datasets; this upload would take it past its quota of " + limit + " bytes"
                + " (transferlab.quotas.dataset-bytes); delete datasets you no longer need. The upload was refused"
                + " and nothing of it was kept", RETRY_AFTER);
    }
}
