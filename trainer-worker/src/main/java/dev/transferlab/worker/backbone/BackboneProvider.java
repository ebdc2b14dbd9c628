package dev.transferlab.worker.backbone;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds backbones through DJL's model zoo and keeps them: building DenseNet121 and loading its weights takes
 * seconds, and every job and prediction on this worker can share one instance (the backbone is frozen).
 */
public final class BackboneProvider implements AutoCloseable {
    static final String RANDOM_PREFIX = "random-init:seed=";

    private final BackboneWeightsStore weights;
    private final Device device;
    private final BackboneSettings settings;
    private final Map<String, LoadedBackbone> loaded = new HashMap<>();

    public BackboneProvider(BackboneWeightsStore weights, Device device, BackboneSettings settings) {
        this.weights = weights;
        this.device = device;
        this.settings = settings;
    }

    /**
     * The backbone a new job trains on: the module a torchscript job names, the configured weights for DenseNet121,
     * otherwise random weights if allowed.
     */
    public LoadedBackbone forTraining(BackboneSpec spec) {
        if (spec.isTorchScript()) {
            String location = spec.weights() == null ? "" : spec.weights().trim();
            String lower = location.toLowerCase(Locale.ROOT);
            // A job is user input: it must not make the worker read its own files or fetch over plain http.
            if (!lower.startsWith("s3://") && !lower.startsWith("https://")) {
                throw new JobFailure("a torchscript backbone needs 'weights': the s3:// or https:// location of its "
                        + "module, got '" + location + "'");
            }
            if (lower.startsWith("https://")) {
                requireAllowedHost(location);
            }
            return fromFile(spec, location, spec.weightsSha256());
        }
        if (spec.isStandardDenseNet121() && settings.denseNet121Weights().isPresent()) {
            return fromFile(spec, settings.denseNet121Weights().get(), settings.denseNet121Sha256().orElse(null));
        }
        if (!settings.allowRandom()) {
            throw new JobFailure(spec.isStandardDenseNet121()
                    ? "no DenseNet121 weights are configured (transferlab.backbone.weights) and random weights are "
                    + "not allowed (transferlab.backbone.allow-random-weights=false)"
                    : "published weights exist only for densenet121; a custom DenseNet needs "
                    + "transferlab.backbone.allow-random-weights=true");
        }
        return random(spec, settings.randomSeed());
    }

    private void requireAllowedHost(String url) {
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            throw new JobFailure("the torchscript weights location is not a valid URL: " + url, e);
        }
        if (host == null || !settings.jobWeightsHosts().contains(host.toLowerCase(Locale.ROOT))) {
            throw new JobFailure("this worker fetches a job's https weights only from the hosts in "
                    + "transferlab.backbone.job-weights-hosts " + settings.jobWeightsHosts() + ", not from " + host
                    + "; upload the module to the platform's bucket and name its s3:// location instead");
        }
    }

    /** The exact backbone a model was trained on, refusing one whose weights differ from the manifest's hash. */
    public LoadedBackbone forModel(BackboneSpec spec, String weightsSource, String expectedSha256) {
        LoadedBackbone backbone = weightsSource.startsWith(RANDOM_PREFIX)
                ? random(spec, Long.parseLong(weightsSource.substring(RANDOM_PREFIX.length())))
                : fromFile(spec, weightsSource, null);
        if (!backbone.sha256().equals(expectedSha256)) {
            throw new JobFailure("the backbone weights at " + weightsSource + " have SHA-256 " + backbone.sha256()
                    + " but the model was trained on " + expectedSha256);
        }
        return backbone;
    }

    private LoadedBackbone fromFile(BackboneSpec spec, String source, String expectedSha256) {
        StoredWeights file;
        try {
            file = weights.fetch(source, expectedSha256);
        } catch (WeightsException | IllegalArgumentException e) {
            throw new JobFailure(e.getMessage(), e);
        }
        Criteria.Builder<NDList, NDList> criteria = spec.isTorchScript()
                ? BackboneCriteria.torchScript(device) : BackboneCriteria.denseNet(spec, device);
        return get(kind(spec) + "@" + file.sha256(), file.contentAddress(), source, () -> BackboneCriteria.load(
                criteria.optArgument(BackboneCriteria.WEIGHTS, file.file()).build()));
    }

    private LoadedBackbone random(BackboneSpec spec, long seed) {
        String source = RANDOM_PREFIX + seed;
        return get(kind(spec) + "@" + source, source, source, () -> BackboneCriteria.load(
                BackboneCriteria.denseNet(spec, device).optArgument(BackboneCriteria.RANDOM_SEED, seed).build()));
    }

    private synchronized LoadedBackbone get(String key, String weightsSource, String origin, Supplier<Backbone> load) {
        LoadedBackbone cached = loaded.get(key);
        if (cached != null) {
            return cached;
        }
        Backbone backbone;
        try {
            backbone = load.get();
        } catch (RuntimeException e) {
            throw new JobFailure("cannot load the backbone from " + origin + ": " + e.getMessage(), e);
        }
        LoadedBackbone ready = new LoadedBackbone(backbone, weightsSource, backbone.sha256(), origin);
        loaded.put(key, ready);
        return ready;
    }

    /** What, besides its weights, makes two backbones the same: the architecture, not where the job found it. */
    private static String kind(BackboneSpec spec) {
        return spec.isTorchScript() ? BackboneSpec.TORCHSCRIPT
                : new BackboneSpec(spec.name(), spec.growthRate(), spec.blockConfig(), spec.numInitFeatures(),
                spec.bnSize()).toString();
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(b -> b.backbone().close());
        loaded.clear();
    }
}
