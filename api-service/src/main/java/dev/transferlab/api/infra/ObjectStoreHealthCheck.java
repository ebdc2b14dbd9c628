package dev.transferlab.api.infra;

import dev.transferlab.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the platform bucket can be reached (and exists: it is created on first check). */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {

    @Inject
    ObjectStore store;

    @Override
    public HealthCheckResponse call() {
        try {
            store.ensureBucket(store.defaultBucket());
            return HealthCheckResponse.named("object-storage").up().withData("bucket", store.defaultBucket()).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("object-storage").down().withData("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }
}
