package dev.transferlab.api.infra;

import dev.transferlab.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/** Ready only when the platform bucket can be reached (and exists: it is created on first check). */
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
