package dev.transferlab.worker.messaging;

import dev.transferlab.worker.inference.ModelPredictor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;

/**
 * Down only when predictions cannot be answered any more: every inference thread has held one request for longer
 * than {@code transferlab.inference.stall-after}, far past any deadline, so it ignored its interruption; or one
 * forward pass has run that long, so the batch queue behind it is stuck. Slow or
 * failing requests are answered with errors and do not count; a long training job runs elsewhere.
 */
@Liveness
@ApplicationScoped
public class InferenceLiveness implements HealthCheck {

    @Inject
    InferencePool pool;

    @Inject
    ModelPredictor predictor;

    @Inject
    InferenceConfig config;

    @Override
    public HealthCheckResponse call() {
        Duration stallAfter = config.stallAfter();
        return HealthCheckResponse.named("inference")
                .status(!pool.stalled(stallAfter) && !predictor.stalled(stallAfter))
                .withData("stall-after", stallAfter.toString()).build();
    }
}
