package dev.transferlab.common.messages;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Who did what to which resource, and when: one record per change a user makes (submit, cancel, upload, register,
 * delete), on {@link Topics#AUDIT}, keyed by tenant so that one tenant's trail stays in order.
 *
 * @param actor    the user, as the token names them ({@code laptop-user} with authentication off)
 * @param action   what was done, such as {@code training-job.submitted}
 * @param resource the id of the job or dataset it was done to
 * @param details  a few facts a reviewer needs (the dataset a job trains on, a dataset's size), never file contents
 */
public record AuditEvent(int schemaVersion, String type, String eventId, Instant timestamp, String tenant,
                         String actor, String action, String resource, Map<String, String> details) {

    public static final String TYPE = "audit";

    public static AuditEvent of(String tenant, String actor, String action, String resource,
                                Map<String, String> details) {
        return new AuditEvent(Messages.SCHEMA_VERSION, TYPE, UUID.randomUUID().toString(), Instant.now(), tenant,
                actor, action, resource, Map.copyOf(details));
    }
}
