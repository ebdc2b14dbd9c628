package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.export.BackboneExport;
import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Models in object storage. The manifest is written last, so a model whose manifest exists is complete: readers
 * (and a replayed command checking whether its job already finished) never see half a model.
 */
public final class ModelRepository {
    private final ObjectStore store;
    private final BackboneExport exports;

    public ModelRepository(ObjectStore store) {
        this.store = store;
        this.exports = new BackboneExport(store);
    }

    /**
     * Writes the model, with its evaluation report (null: none), and answers where each artifact went. Its export for
     * PyTorch is assembled on download from the head weights and the backbone's part, which is stored here first if
     * no model on the same weights stored it yet.
     */
    public Map<String, String> save(ModelManifest manifest, Map<String, Tensor> headWeights,
            EvaluationReport evaluation) {
        ObjectLocation head = location(StorageLayout.modelHeadWeights(manifest.tenant(), manifest.modelId()));
        ObjectLocation metrics = location(StorageLayout.modelMetrics(manifest.tenant(), manifest.modelId()));
        ObjectLocation manifestAt = location(StorageLayout.modelManifest(manifest.tenant(), manifest.modelId()));
        store.put(head, SafeTensors.write(headWeights), "application/octet-stream");
        ObjectLocation backboneExport = exports.ensureStored(manifest.backbone(), manifest.backboneWeights(),
                manifest.backboneSha256());
        store.put(metrics, Messages.toJson(manifest.metrics()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json");
        ObjectLocation evaluationAt = location(StorageLayout.modelEvaluation(manifest.tenant(), manifest.modelId()));
        if (evaluation != null) {
            store.put(evaluationAt, Messages.toJson(evaluation).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "application/json");
        }
        store.put(manifestAt, Messages.toJson(manifest).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json");
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("manifest", manifestAt.toString());
        artifacts.put("headWeights", head.toString());
        artifacts.put("metrics", metrics.toString());
        if (backboneExport != null) {
            artifacts.put("backboneExport", backboneExport.toString());
        }
        if (evaluation != null) {
            artifacts.put("evaluation", evaluationAt.toString());
        }
        return artifacts;
    }

    /** The models' exports: their backbone's part, which a worker may store before any model needs it. */
    public BackboneExport exports() {
        return exports;
    }

    public Optional<ModelManifest> manifest(String tenant, String modelId) {
        return store.get(location(StorageLayout.modelManifest(tenant, modelId))).map(json -> {
            try {
                return Messages.mapper().readValue(json, ModelManifest.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable manifest of model " + modelId, e);
            }
        });
    }

    public Map<String, Tensor> headWeights(ModelManifest manifest) {
        byte[] stored = store.get(store.locate(manifest.headWeights()))
                .orElseThrow(() -> new JobFailure("head weights of model " + manifest.modelId() + " are missing at "
                        + manifest.headWeights()));
        try {
            return SafeTensors.read(stored);
        } catch (WeightsFormatException e) {
            throw new JobFailure("head weights of model " + manifest.modelId() + " are damaged: " + e.getMessage());
        }
    }

    private ObjectLocation location(String key) {
        return store.inDefaultBucket(key);
    }
}
