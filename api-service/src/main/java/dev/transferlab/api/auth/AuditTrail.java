package dev.transferlab.api.auth;

import dev.transferlab.common.messages.AuditEvent;
import dev.transferlab.common.messages.Messages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.util.Map;

/**
 * Writes who changed what to the audit topic. A change is answered only once its audit event is written, so no
 * change goes unrecorded; a change that failed writes none.
 */
@ApplicationScoped
public class AuditTrail implements AuditLog {
    @Inject
    @Channel("audit")
    MutinyEmitter<Record<String, String>> audit;

    public Uni<Void> record(Caller caller, String action, String resource, Map<String, String> details) {
        AuditEvent event = AuditEvent.of(caller.tenant(), caller.subject(), action, resource, details);
        return audit.send(Record.of(caller.tenant(), Messages.toJson(event)));
    }

    /** Waits until the broker has the event (at most its delivery timeout). */
    @Override
    public void recordAndWait(Caller caller, String action, String resource, Map<String, String> details) {
        record(caller, action, resource, details).await().atMost(java.time.Duration.ofMinutes(2));
    }
}
