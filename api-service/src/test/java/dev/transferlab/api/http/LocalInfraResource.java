package dev.transferlab.api.http;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/** The real Kafka broker and S3 server of local-infra, one process, for a @QuarkusTest of the whole api-service. */
public class LocalInfraResource implements QuarkusTestResourceLifecycleManager {
    private InfraProcess infra;

    @Override
    public Map<String, String> start() {
        infra = InfraProcess.startTemporary("api-infra");
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
