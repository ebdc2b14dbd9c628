package dev.transferlab.api.models;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** A model's manifest in storage, as a worker leaves it when training ends (no weights: nothing predicts here). */
public final class TestModels {
    private TestModels() {
    }

    public static void put(ObjectStore store, String tenant, String modelId, BackboneSpec backbone,
                           List<String> classes) {
        put(store, tenant, modelId, backbone, classes, "0".repeat(64));
    }

    /** The manifest of a model trained on the backbone weights whose parameter hash is {@code backboneSha256}. */
    public static ModelManifest put(ObjectStore store, String tenant, String modelId, BackboneSpec backbone,
                                    List<String> classes, String backboneSha256) {
        ModelManifest manifest = new ModelManifest(Messages.SCHEMA_VERSION, modelId, modelId, tenant, Instant.now(),
                classes, backbone, "random-init:seed=0", backboneSha256, PreprocessingSpec.imagenet(),
                new Hyperparameters(1, 8, 1e-3, 16, 0.2, 1, null), "s3://transferlab/datasets/x/", 10, 2, 1,
                List.of(), store.inDefaultBucket(StorageLayout.modelHeadWeights(tenant, modelId)).toString(), 0,
                null);
        store.put(store.inDefaultBucket(StorageLayout.modelManifest(tenant, modelId)),
                Messages.toJson(manifest).getBytes(StandardCharsets.UTF_8), "application/json");
        return manifest;
    }
}
