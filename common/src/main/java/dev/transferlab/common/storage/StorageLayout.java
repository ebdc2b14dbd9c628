package dev.transferlab.common.storage;

/**
 * Where artifacts live in the platform bucket. Object storage is the system of record, so these paths are part of
 * the contract between the services.
 */
public final class StorageLayout {
    public static final String MANIFEST = "manifest.json";
    public static final String HEAD_WEIGHTS = "head.safetensors";
    public static final String METRICS = "metrics.json";

    private StorageLayout() {
    }

    public static String modelPrefix(String tenant, String modelId) {
        return "models/" + tenant + "/" + modelId + "/";
    }

    public static String modelManifest(String tenant, String modelId) {
        return modelPrefix(tenant, modelId) + MANIFEST;
    }

    public static String modelHeadWeights(String tenant, String modelId) {
        return modelPrefix(tenant, modelId) + HEAD_WEIGHTS;
    }

    public static String modelMetrics(String tenant, String modelId) {
        return modelPrefix(tenant, modelId) + METRICS;
    }

    /** The latest epoch checkpoint of a running job; deleted when the job ends. */
    public static String checkpoint(String tenant, String jobId) {
        return "checkpoints/" + tenant + "/" + jobId + "/head-checkpoint.safetensors";
    }

    public static String datasetPrefix(String tenant, String name) {
        return "datasets/" + tenant + "/" + name + "/";
    }
}
