package dev.transferlab.worker.backbone;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds backbones and keeps them: building DenseNet121 and loading its weights takes seconds, and every job and
 * prediction on this worker can share one instance (the backbone is frozen).
 */
public final class BackboneProvider implements AutoCloseable {
    static final String RANDOM_PREFIX = "random-init:seed=";

    private final ObjectStore store;
    private final Device device;
    private final Optional<String> configuredWeights;
    private final boolean allowRandom;
    private final long randomSeed;
    private final Map<String, LoadedBackbone> loaded = new HashMap<>();

    public BackboneProvider(ObjectStore store, Device device, Optional<String> configuredWeights, boolean allowRandom,
                            long randomSeed) {
        this.store = store;
        this.device = device;
        this.configuredWeights = configuredWeights.filter(w -> !w.isBlank());
        this.allowRandom = allowRandom;
        this.randomSeed = randomSeed;
    }

    /** The backbone a new job trains on: the configured weights for DenseNet121, otherwise random if allowed. */
    public LoadedBackbone forTraining(BackboneSpec spec) {
        if (spec.isStandardDenseNet121() && configuredWeights.isPresent()) {
            return get(spec, configuredWeights.get());
        }
        if (!allowRandom) {
            throw new JobFailure(spec.isStandardDenseNet121()
                    ? "no DenseNet121 weights are configured (transferlab.backbone.weights) and random weights are "
                    + "not allowed (transferlab.backbone.allow-random-weights=false)"
                    : "published weights exist only for densenet121; a custom DenseNet needs "
                    + "transferlab.backbone.allow-random-weights=true");
        }
        return get(spec, RANDOM_PREFIX + randomSeed);
    }

    /** The exact backbone a model was trained on, refusing one whose weights differ from the manifest's hash. */
    public LoadedBackbone forModel(BackboneSpec spec, String weightsSource, String expectedSha256) {
        LoadedBackbone backbone = get(spec, weightsSource);
        if (!backbone.sha256().equals(expectedSha256)) {
            throw new JobFailure("the backbone weights at " + weightsSource + " have SHA-256 " + backbone.sha256()
                    + " but the model was trained on " + expectedSha256);
        }
        return backbone;
    }

    private synchronized LoadedBackbone get(BackboneSpec spec, String weightsSource) {
        return loaded.computeIfAbsent(spec + "@" + weightsSource, key -> load(spec, weightsSource));
    }

    private LoadedBackbone load(BackboneSpec spec, String weightsSource) {
        Backbone backbone = Backbone.create(spec, device);
        try {
            if (weightsSource.startsWith(RANDOM_PREFIX)) {
                backbone.randomInit(Long.parseLong(weightsSource.substring(RANDOM_PREFIX.length())));
            } else {
                backbone.loadWeights(SafeTensors.read(readWeights(weightsSource)));
            }
            return new LoadedBackbone(backbone, weightsSource, backbone.sha256());
        } catch (RuntimeException e) {
            backbone.close();
            throw e instanceof JobFailure ? e : new JobFailure("cannot load backbone weights from " + weightsSource
                    + ": " + e.getMessage(), e);
        }
    }

    private byte[] readWeights(String source) {
        if (source.startsWith("s3://")) {
            return store.get(store.locate(source))
                    .orElseThrow(() -> new JobFailure("backbone weights not found at " + source));
        }
        try {
            return Files.readAllBytes(Path.of(source));
        } catch (IOException e) {
            throw new JobFailure("cannot read backbone weights file " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(b -> b.backbone().close());
        loaded.clear();
    }
}
