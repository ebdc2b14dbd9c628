package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.worker.jobs.Cancellations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Records cancellations; the job runner checks them at every batch. Only the api-service writes the control topic, and
 * a cancellation stops only the job of the tenant it names ({@link Cancellations}).
 */
@ApplicationScoped
public class CancelRequestConsumer {

    @Inject
    Cancellations cancellations;

    @Incoming("training-control")
    public void onCancel(String json) {
        CancelRequest cancel = CommandChecks.valid(Messages.fromJson(json, CancelRequest.class));
        cancellations.cancel(cancel.tenant(), cancel.jobId());
    }
}
