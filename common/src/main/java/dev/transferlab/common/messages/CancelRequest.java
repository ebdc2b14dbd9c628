package dev.transferlab.common.messages;

import java.time.Instant;

/** Command: stop a training job. Keyed by job id on {@link Topics#TRAINING_CONTROL}. */
public record CancelRequest(int schemaVersion, String type, String jobId, String tenant, Instant timestamp) {

    public static final String TYPE = "cancel-request";

    public static CancelRequest of(String jobId, String tenant) {
        return new CancelRequest(Messages.SCHEMA_VERSION, TYPE, jobId, tenant, Instant.now());
    }
}
