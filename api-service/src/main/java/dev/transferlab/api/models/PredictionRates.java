package dev.transferlab.api.models;

import dev.transferlab.api.auth.QuotaSettings;
import dev.transferlab.api.http.ProblemException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's quota of prediction requests per second, on this replica: over it, 429 at once (no waiting), so one
 * tenant's burst cannot fill the inference queue that every tenant shares.
 */
@ApplicationScoped
public class PredictionRates {
    private static final Duration PERIOD = Duration.ofSeconds(1);

    @Inject
    QuotaSettings quotas;

    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();

    public void acquire(String tenant) {
        RateLimiter limiter = limiters.computeIfAbsent(tenant, t -> RateLimiter.of(t, RateLimiterConfig.custom()
                .limitForPeriod(quotas.predictionsPerSecond(t)).limitRefreshPeriod(PERIOD)
                .timeoutDuration(Duration.ZERO).build()));
        if (!limiter.acquirePermission()) {
            throw ProblemException.quotaExceeded("tenant '" + tenant + "' sent more than "
                    + limiter.getRateLimiterConfig().getLimitForPeriod() + " prediction requests in a second, its"
                    + " quota (transferlab.quotas.predictions-per-second); slow down and retry", PERIOD);
        }
    }
}
