package dev.transferlab.api.http;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The real Kafka broker and S3 server of local-infra, one process, for a @QuarkusTest of the whole api-service. */
public class LocalInfraResource implements QuarkusTestResourceLifecycleManager {
    private InfraProcess infra;

    @Override
    public Map<String, String> start() {
        try {
            infra = InfraProcess.start(Files.createTempDirectory("api-infra"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (ObjectStore store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(),
                infra.secretKey(), "transferlab"))) {
            store.ensureBucket("transferlab");
        }
        Map<String, String> config = new HashMap<>(infra.serviceConfig());
        config.putAll(infra.jobStoreConfig());
        return config;
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }
}
