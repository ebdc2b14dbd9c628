package dev.transferlab.api.auth;

import java.util.Map;

/** Where blocking domain code (uploads, registrations, deletes) records a change; {@link AuditTrail} writes it. */
public interface AuditLog {
    /** Returns once the change is recorded, or throws, so that a change is never answered unrecorded. */
    void recordAndWait(Caller caller, String action, String resource, Map<String, String> details);
}
