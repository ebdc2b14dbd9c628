package dev.transferlab.worker.messaging;

import dev.transferlab.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** A real Kafka broker and S3 server (deploy/infra) for a worker started by @QuarkusTest. */
public class RealBroker implements QuarkusTestResourceLifecycleManager {
    static InfraProcess infra;

    @Override
    public Map<String, String> start() {
        try {
            infra = InfraProcess.start(Files.createTempDirectory("worker-messaging-it"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(infra.serviceConfig());
        config.put("transferlab.device", "cpu");
        return config;
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }
}
