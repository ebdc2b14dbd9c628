package dev.transferlab.api.infra;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.jobs.JobProjection;
import dev.transferlab.api.jobs.JobState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;

/**
 * The api-service's own meters, on {@code /q/metrics} (Prometheus names in brackets):
 * <ul>
 *   <li>{@code transferlab.jobs} [{@code transferlab_jobs}] by {@code state}: jobs in each state, from the
 *       job store (every replica reports the same);</li>
 *   <li>{@code transferlab.sse.followers} [{@code transferlab_sse_followers}]: open event streams;</li>
 *   <li>{@code transferlab.predictions} [{@code transferlab_predictions_seconds}] by {@code outcome}: a prediction
 *       from the request to Kafka until the worker's reply (ok, timeout, invalid-image, model-not-found,
 *       worker-error, error).</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class ApiMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    JobProjection projection;

    /** One count of the store per scrape, not one per state: a scrape reads the gauges one after another. */
    private static final Duration COUNTS_FRESH_FOR = Duration.ofSeconds(1);
    private Map<JobState, Long> counts = Map.of();
    private long countedAt = Long.MIN_VALUE;

    @PostConstruct
    void register() {
        for (JobState state : JobState.values()) {
            Gauge.builder("transferlab.jobs", this, m -> m.counts().get(state))
                    .description("Jobs in each state, as the job store has them (the same on every replica)")
                    .tag("state", state.wireName()).register(registry);
        }
        Gauge.builder("transferlab.sse.followers", projection, JobProjection::followers)
                .description("Event streams (SSE) being followed on this replica").register(registry);
    }

    private synchronized Map<JobState, Long> counts() {
        long now = System.nanoTime();
        if (countedAt == Long.MIN_VALUE || now - countedAt > COUNTS_FRESH_FOR.toNanos()) {
            counts = projection.store().countByState();
            countedAt = now;
        }
        return counts;
    }

    public Timer.Sample startPrediction() {
        return Timer.start(registry);
    }

    /** Stops the sample under the outcome the request ended with: ok, or what its failure means. */
    public void predictionEnded(Timer.Sample sample, Throwable failure) {
        sample.stop(Timer.builder("transferlab.predictions")
                .description("A prediction from its request to Kafka until the worker's reply")
                .tag("outcome", outcome(failure)).register(registry));
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        if (failure instanceof ProblemException problem) {
            return switch (problem.problem().status()) {
                case 504 -> "timeout";
                case 422 -> "invalid-image";
                case 404 -> "model-not-found";
                case 502 -> "worker-error";
                default -> "error";
            };
        }
        return "error";
    }
}
