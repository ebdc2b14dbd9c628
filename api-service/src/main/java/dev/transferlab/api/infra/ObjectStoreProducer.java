package dev.transferlab.api.infra;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore(@ConfigProperty(name = "transferlab.s3.endpoint") Optional<String> endpoint,
                            @ConfigProperty(name = "transferlab.s3.region") String region,
                            @ConfigProperty(name = "transferlab.s3.path-style") boolean pathStyle,
                            @ConfigProperty(name = "transferlab.s3.access-key") Optional<String> accessKey,
                            @ConfigProperty(name = "transferlab.s3.secret-key") Optional<String> secretKey,
                            @ConfigProperty(name = "transferlab.s3.bucket") String bucket,
                            @ConfigProperty(name = "transferlab.s3.max-attempts") int maxAttempts) {
        return new ObjectStore(new S3Settings(endpoint, region, pathStyle, accessKey, secretKey, bucket,
                maxAttempts));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
