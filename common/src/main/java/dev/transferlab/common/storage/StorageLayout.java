package dev.transferlab.common.storage;

import dev.transferlab.common.messages.Ids;

/**
 * Where artifacts live in the platform bucket. Object storage is the system of record, so these paths are part of
 * the contract between the services. Every tenant and id is checked against {@link Ids} here, where keys are built,
 * so that no caller can reach another tenant's objects with an unchecked one (a job id of {@code ../other/x}): a bad
 * one throws {@link dev.transferlab.common.messages.InvalidFieldException}.
 */
public final class StorageLayout {
    public static final String MANIFEST = "manifest.json";
    public static final String HEAD_WEIGHTS = "head.safetensors";
    public static final String METRICS = "metrics.json";
    public static final String EXPORT = "export.safetensors";
    public static final String EVALUATION = "evaluation.json";
    public static final String BACKBONE_WEIGHTS_PREFIX = "backbones/sha256/";

    private StorageLayout() {
    }

    public static String modelPrefix(String tenant, String modelId) {
        return "models/" + Ids.require("tenant", tenant) + "/" + Ids.require("modelId", modelId) + "/";
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

    /** The stored model's evaluation report on its validation and test sets. */
    public static String modelEvaluation(String tenant, String modelId) {
        return modelPrefix(tenant, modelId) + EVALUATION;
    }

    /**
     * Where models trained before exports were assembled on download kept theirs: the whole network as one
     * safetensors file (see {@link dev.transferlab.common.model.ModelExportFile}).
     */
    public static String modelExport(String tenant, String modelId) {
        return modelPrefix(tenant, modelId) + EXPORT;
    }

    /** The latest epoch checkpoint of a running job; deleted when the job ends. */
    public static String checkpoint(String tenant, String jobId) {
        return "checkpoints/" + Ids.require("tenant", tenant) + "/" + Ids.require("jobId", jobId)
                + "/head-checkpoint.safetensors";
    }

    /**
     * Backbone weights under their content address: every worker that needs the same file finds it here, and a model
     * manifest that names this key still names the same bytes years later.
     */
    public static String backboneWeights(String sha256Hex) {
        return BACKBONE_WEIGHTS_PREFIX + sha256Hex;
    }

    /**
     * A backbone's parameters as the export for PyTorch names them, one safetensors file per set of weights (keyed by
     * their parameter hash, a model manifest's {@code backboneSha256}), shared by every model trained on them.
     */
    public static String backboneExport(String backboneSha256) {
        if (backboneSha256 == null || !backboneSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a backbone's SHA-256 in hex: " + backboneSha256);
        }
        return "exports/backbones/" + backboneSha256 + ".safetensors";
    }

    /** What a weights source (a URL, say) was found to hold: the text of its SHA-256, so it is fetched only once. */
    public static String backboneSource(String sha256OfSource) {
        return "backbones/sources/" + sha256OfSource;
    }

    /**
     * A large image of one prediction, written by the api-service and read by the worker that answers it (a claim
     * check: only this key travels in Kafka); the api-service deletes it once the answer is in or the wait is over.
     */
    public static String inferencePayload(String tenant, String requestId) {
        return "inference-payloads/" + Ids.require("tenant", tenant) + "/" + Ids.require("requestId", requestId);
    }

    /** A sweep's area: its finished trials, and the checkpoints that successive halving and the best trial need. */
    public static String sweepPrefix(String tenant, String sweepId) {
        return "sweeps/" + Ids.require("tenant", tenant) + "/" + Ids.require("sweepId", sweepId) + "/";
    }

    /**
     * A trial trained up to {@code epochs}: its record ({@code json}), the checkpoint after that epoch
     * ({@code checkpoint}), or why it could not train ({@code failed}, plain text). A record is written once the
     * trial's event is out, so a resumed sweep skips it.
     */
    public static String sweepTrial(String tenant, String sweepId, int trial, int epochs, String kind) {
        if (!kind.equals("json") && !kind.equals("checkpoint") && !kind.equals("failed")) {
            throw new IllegalArgumentException("a trial is kept as json, checkpoint or failed, not " + kind);
        }
        return sweepPrefix(tenant, sweepId) + String.format(java.util.Locale.ROOT, "trials/%05d/epochs-%04d.%s", trial,
                epochs, kind);
    }

    /** A batch prediction job's results, written by its worker, read back through the api-service. */
    public static String batchPredictionPrefix(String tenant, String jobId) {
        return "predictions/" + Ids.require("tenant", tenant) + "/" + Ids.require("jobId", jobId) + "/";
    }

    /**
     * One part of a job's results (JSON Lines for a fixed slice of its sorted images), written whole by one PUT: a
     * resumed job skips the parts that exist, so each image's line is written once.
     */
    public static String batchPredictionPart(String tenant, String jobId, int part) {
        return batchPredictionPrefix(tenant, jobId) + String.format(java.util.Locale.ROOT, "parts/%06d.jsonl", part);
    }

    /** The assembled results, {@code jsonl} or {@code csv}; the JSON Lines file is written last: it marks a job done. */
    public static String batchPredictionResults(String tenant, String jobId, String format) {
        if (!format.equals("jsonl") && !format.equals("csv")) {
            throw new IllegalArgumentException("results are jsonl or csv, not " + format);
        }
        return batchPredictionPrefix(tenant, jobId) + "results." + format;
    }

    public static String tenantDatasets(String tenant) {
        return "datasets/" + Ids.require("tenant", tenant) + "/";
    }

    public static String datasetPrefix(String tenant, String datasetId) {
        return tenantDatasets(tenant) + Ids.require("datasetId", datasetId) + "/";
    }

    /** Written last: a dataset whose manifest exists is complete. */
    public static String datasetManifest(String tenant, String datasetId) {
        return datasetPrefix(tenant, datasetId) + MANIFEST;
    }

    /** The linear-probe baselines of a dataset's features, one per backbone weights and preprocessing. */
    public static String datasetBaselines(String tenant, String datasetId) {
        return datasetPrefix(tenant, datasetId) + "baselines/";
    }

    public static String datasetBaseline(String tenant, String datasetId, String backboneSha256,
                                         String preprocessingId) {
        return datasetBaselines(tenant, datasetId) + backboneSha256 + "-" + preprocessingId + ".json";
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
        return "features/" + Ids.require("tenant", tenant) + "/" + datasetHash + "/" + backboneSha256 + "/"
                + preprocessingId + ".features";
    }
}
