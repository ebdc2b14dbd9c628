package dev.transferlab.api.datasets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

@ApplicationScoped
public class UploadLimitsProducer {

    /** A singleton, not a client proxy: a record cannot be proxied. */
    @Produces
    @Singleton
    UploadLimits limits(UploadSettings settings) {
        return settings.limits();
    }
}
