package dev.transferlab.api.datasets;

import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

@ApplicationScoped
public class UploadLimitsProducer {

    /** A singleton, not a client proxy: a record cannot be proxied. */
    @Produces
    @Singleton
    UploadLimits limits(@ConfigProperty(name = "transferlab.datasets.max-upload-size") MemorySize maxUpload,
                        @ConfigProperty(name = "transferlab.datasets.max-unpacked-size") MemorySize maxUnpacked,
                        @ConfigProperty(name = "transferlab.datasets.max-file-size") MemorySize maxFile,
                        @ConfigProperty(name = "transferlab.datasets.max-files") int maxFiles,
                        @ConfigProperty(name = "transferlab.datasets.max-entries") int maxEntries,
                        @ConfigProperty(name = "transferlab.datasets.min-images-per-class") int minPerClass) {
        return new UploadLimits(maxUpload.asLongValue(), maxUnpacked.asLongValue(), maxFile.asLongValue(), maxFiles,
                maxEntries, minPerClass);
    }
}
