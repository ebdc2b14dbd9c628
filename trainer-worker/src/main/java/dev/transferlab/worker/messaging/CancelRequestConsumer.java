package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.worker.jobs.Cancellations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Records cancellations; the job runner checks them at every batch. */
@ApplicationScoped
public class CancelRequestConsumer {

    @Inject
    Cancellations cancellations;

    @Incoming("training-control")
    public void onCancel(String json) {
        cancellations.cancel(CommandChecks.valid(Messages.fromJson(json, CancelRequest.class)).jobId());
    }
}
