package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;

import java.time.Duration;

/**
 * What a tenant's quota of stored dataset bytes leaves for one upload, checked as its files arrive, so that an upload
 * over it stops there and nothing of it is kept.
 *
 * @param limit bytes of uploaded datasets the tenant may keep
 * @param used  bytes its uploaded datasets hold now
 */
public record StorageQuota(String tenant, long limit, long used) {
    static final StorageQuota UNLIMITED = new StorageQuota("", Long.MAX_VALUE, 0);
    // Storage frees up only when the tenant deletes a dataset, not by waiting; the header still tells clients that
    // retrying at once is pointless.
    private static final Duration RETRY_AFTER = Duration.ofMinutes(1);

    /** Refuses an upload (before anything is read) when the quota is used up already. */
    public void checkRoomLeft() {
        check(1);
    }

    void check(long uploadBytes) {
        if (used + uploadBytes > limit) {
            throw ProblemException.quotaExceeded("tenant '" + tenant + "' stores " + used + " bytes of uploaded"
                    + " datasets; this upload would take it past its quota of " + limit + " bytes"
                    + " (transferlab.quotas.dataset-bytes); delete datasets you no longer need. The upload was"
                    + " refused and nothing of it was kept", RETRY_AFTER);
        }
    }
}
