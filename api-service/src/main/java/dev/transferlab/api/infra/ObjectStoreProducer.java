package dev.transferlab.api.infra;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Config;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore(S3Config config) {
        return new ObjectStore(config.settings());
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
