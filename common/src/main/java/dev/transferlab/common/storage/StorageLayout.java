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

    public static String tenantDatasets(String tenant) {
        return "datasets/" + tenant + "/";
    }

    public static String datasetPrefix(String tenant, String datasetId) {
        return tenantDatasets(tenant) + datasetId + "/";
    }

    /** Written last: a dataset whose manifest exists is complete. */
    public static String datasetManifest(String tenant, String datasetId) {
        return datasetPrefix(tenant, datasetId) + MANIFEST;
    }

    /** An uploaded dataset's files, under their paths in the archive. */
    public static String datasetFiles(String tenant, String datasetId) {
        return datasetPrefix(tenant, datasetId) + "files/";
    }

    /**
     * Cached backbone features of a dataset: valid for exactly these images, backbone weights and preprocessing, so
     * all three are in the key. Per tenant, so that one tenant cannot learn from cache hits what another uploaded.
     */
    public static String featureCache(String tenant, String datasetHash, String backboneSha256,
                                      String preprocessingId) {
        return "features/" + tenant + "/" + datasetHash + "/" + backboneSha256 + "/" + preprocessingId + ".features";
    }
}
