package dev.transferlab.worker.messaging;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * What this worker does: training, inference or both, from {@code transferlab.worker.training} and
 * {@code transferlab.worker.inference}. The roles switch the Kafka channels on and off (application.properties);
 * this says at start which ones run, and refuses to start a worker that would do nothing.
 */
@ApplicationScoped
public class WorkerRoles {
    private static final Logger LOG = Logger.getLogger(WorkerRoles.class);

    void onStart(@Observes StartupEvent event, WorkerConfig config) {
        LOG.info(describe(config.training(), config.inference()));
    }

    /** The roles as the start-up log says them; none at all is a configuration error. */
    static String describe(boolean training, boolean inference) {
        if (!training && !inference) {
            throw new IllegalStateException("this worker has no role: transferlab.worker.training and "
                    + "transferlab.worker.inference (TRANSFERLAB_WORKER_TRAINING, TRANSFERLAB_WORKER_INFERENCE) are "
                    + "both false; set at least one to true");
        }
        String roles = "worker roles: training " + (training ? "on" : "off") + ", inference " + (inference ? "on" : "off");
        return training && inference ? roles : roles + "; the other role's channels are disabled, and SmallRye's "
                + "SRMSG00207 lists the methods they would have fed";
    }
}
