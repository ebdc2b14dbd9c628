package dev.transferlab.api.infra;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.Config;

@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore(Config config) {
        return new ObjectStore(S3Settings.fromProperties(name -> config.getOptionalValue(name, String.class)));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
