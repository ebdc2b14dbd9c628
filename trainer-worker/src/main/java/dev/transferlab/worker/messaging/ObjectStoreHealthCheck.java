package dev.transferlab.worker.messaging;

import dev.transferlab.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready only when the platform bucket can be reached: datasets, features, checkpoints and models all live there.
 * The probe itself is {@link ObjectStore#defaultBucketProblem}, shared with the api-service's check.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {

    @Inject
    ObjectStore store;

    @Override
    public HealthCheckResponse call() {
        return store.defaultBucketProblem(Duration.ofSeconds(5))
                .map(problem -> HealthCheckResponse.named("object-storage").down().withData("error", problem))
                .orElseGet(() -> HealthCheckResponse.named("object-storage").up())
                .withData("bucket", store.defaultBucket()).build();
    }
}
