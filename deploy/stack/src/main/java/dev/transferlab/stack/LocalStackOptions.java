package dev.transferlab.stack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the local stack runs. Ports of 0 are chosen free at start.
 *
 * @param backboneWeights DenseNet121 weights (https URL, s3:// or file path; .pth or .safetensors); empty means
 *                        random weights, which the stack allows only because it says so plainly
 * @param workerConfig    extra trainer-worker configuration properties
 * @param apiConfig       extra api-service configuration properties
 */
public record LocalStackOptions(Path home, Path dataDir, int kafkaPort, int s3Port, int apiPort, int workerPort,
                                Optional<String> backboneWeights, Map<String, String> workerConfig,
                                Map<String, String> apiConfig) {

    public static LocalStackOptions defaults(Path home) {
        return new LocalStackOptions(home, home.resolve(".stack-data"), 9092, 9000, 8080, 8081, Optional.empty(),
                Map.of(), Map.of());
    }

    public LocalStackOptions withDataDir(Path dataDir) {
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, backboneWeights,
                workerConfig, apiConfig);
    }

    public LocalStackOptions withPorts(int kafka, int s3, int api, int worker) {
        return new LocalStackOptions(home, dataDir, kafka, s3, api, worker, backboneWeights, workerConfig, apiConfig);
    }

    public LocalStackOptions withBackboneWeights(String weights) {
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort,
                Optional.ofNullable(weights).filter(w -> !w.isBlank()), workerConfig, apiConfig);
    }

    public LocalStackOptions withWorkerProperty(String name, String value) {
        Map<String, String> config = new LinkedHashMap<>(workerConfig);
        config.put(name, value);
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, backboneWeights,
                Map.copyOf(config), apiConfig);
    }

    public LocalStackOptions withApiProperty(String name, String value) {
        Map<String, String> config = new LinkedHashMap<>(apiConfig);
        config.put(name, value);
        return new LocalStackOptions(home, dataDir, kafkaPort, s3Port, apiPort, workerPort, backboneWeights,
                workerConfig, Map.copyOf(config));
    }
}
