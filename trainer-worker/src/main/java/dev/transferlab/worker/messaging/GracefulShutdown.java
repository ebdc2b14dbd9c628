package dev.transferlab.worker.messaging;

import dev.transferlab.worker.jobs.Draining;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * On SIGTERM the running job is released rather than lost or cancelled: it stops at its next batch boundary, its
 * last epoch checkpoint stays, a {@code released} event is published (and acknowledged by the broker) and its
 * command is left unacknowledged. Then Quarkus stops the messaging connector, which closes the consumer: the
 * partition goes to another worker, which gets the uncommitted command again and resumes the job.
 * <p>
 * This runs on the {@link ShutdownEvent}, which Quarkus fires after its HTTP drain and before it destroys the
 * connector's beans, so the consumer and the event producer are still open while the job winds down. The wait is
 * bounded by {@code quarkus.shutdown.timeout}; a job still running then is abandoned like a crashed one (its
 * command is not committed either, so it is redelivered all the same).
 */
@ApplicationScoped
public class GracefulShutdown {
    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    @Inject
    Draining draining;

    @ConfigProperty(name = "quarkus.shutdown.timeout")
    Duration timeout;

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        LOG.infof("shutting down: releasing the running job, if any (waiting up to %s)", timeout);
        try {
            draining.drain(timeout).ifPresentOrElse(
                    job -> LOG.warnf("job %s did not stop within %s; leaving it to be redelivered", job, timeout),
                    () -> LOG.info("no job running; the consumer can close"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
