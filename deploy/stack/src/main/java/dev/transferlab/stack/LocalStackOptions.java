package dev.transferlab.stack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the local stack runs. Ports of 0 are chosen free at start.
 *
 * @param auth            whether the api-service checks bearer tokens from the stack's own OpenID provider
 *                        (Keycloak, started on {@code keycloakPort}); off is the single-user laptop mode
 * @param backboneWeights DenseNet121 weights (https URL, s3:// or file path; .pth or .safetensors); empty means
 *                        random weights, which the stack allows only because it says so plainly
 * @param workerConfig    extra trainer-worker configuration properties
 * @param apiConfig       extra api-service configuration properties
 */
public record LocalStackOptions(Path home, Path dataDir, int kafkaPort, int s3Port, int apiPort, int workerPort,
                                boolean auth, int keycloakPort, Optional<String> backboneWeights,
                                Map<String, String> workerConfig, Map<String, String> apiConfig) {

    /**
     * The worker's batch size is pinned at 8 rather than calibrated at its start (its default, "auto"): the stack's
     * tests and benchmarks then run the same batches on every run, and a worker starts seconds sooner.
     */
    public static LocalStackOptions defaults(Path home) {
        return new LocalStackOptions(home, home.resolve(".stack-data"), 9092, 9000, 8080, 8081, true, 8180,
                Optional.empty(), Map.of("transferlab.features.batch-size", "8"), Map.of());
    }

    public LocalStackOptions withDataDir(Path dataDir) {
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, auth, keycloakPort,
                backboneWeights, workerConfig, apiConfig);
    }

    public LocalStackOptions withPorts(int kafka, int s3, int api, int worker) {
        return new LocalStackOptions(home, dataDir, kafka, s3, api, worker, auth, keycloakPort, backboneWeights,
                workerConfig, apiConfig);
    }

    public LocalStackOptions withAuth(boolean auth, int keycloakPort) {
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, auth, keycloakPort,
                backboneWeights, workerConfig, apiConfig);
    }

    public LocalStackOptions withBackboneWeights(String weights) {
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, auth, keycloakPort,
                Optional.ofNullable(weights).filter(w -> !w.isBlank()), workerConfig, apiConfig);
    }

    public LocalStackOptions withWorkerProperty(String name, String value) {
        Map<String, String> config = new LinkedHashMap<>(workerConfig);
        config.put(name, value);
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, auth, keycloakPort,
                backboneWeights, Map.copyOf(config), apiConfig);
    }

    public LocalStackOptions withApiProperty(String name, String value) {
        Map<String, String> config = new LinkedHashMap<>(apiConfig);
        config.put(name, value);
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, auth, keycloakPort,
                backboneWeights, workerConfig, Map.copyOf(config));
    }

    /** A property both services read, such as {@code transferlab.dataset-grants.<tenant>}. */
    public LocalStackOptions withSharedProperty(String name, String value) {
        return withApiProperty(name, value).withWorkerProperty(name, value);
    }
}
