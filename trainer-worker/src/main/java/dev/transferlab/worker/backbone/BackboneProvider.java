package dev.transferlab.worker.backbone;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.jobs.JobStopped;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.StopCheck;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Builds backbones through DJL's model zoo and keeps them: building DenseNet121 and loading its weights takes
 * seconds, and every job and prediction on this worker can share one instance (the backbone is frozen). Each
 * backbone is built once, by the first caller that needs it, while callers that need others go on: a large one
 * being built holds up only those waiting for that same one. A build its job stopped, or one that failed, is not
 * kept: the next caller builds it anew.
 */
public final class BackboneProvider implements AutoCloseable {
    static final String RANDOM_PREFIX = "random-init:seed=";

    // How often a caller waiting for another's build asks its own stop check.
    private static final long WAIT_SLICE_MS = 100;

    private final BackboneWeightsStore weights;
    private final Device device;
    private final DataType precision;
    private final BackboneSettings settings;
    private final ConcurrentHashMap<String, CompletableFuture<LoadedBackbone>> loaded = new ConcurrentHashMap<>();

    public BackboneProvider(BackboneWeightsStore weights, Device device, BackboneSettings settings) {
        this(weights, device, DataType.FLOAT32, settings);
    }

    /** @param precision the type every backbone built here computes in ({@link Backbone#precision()}) */
    public BackboneProvider(BackboneWeightsStore weights, Device device, DataType precision,
                            BackboneSettings settings) {
        this.weights = weights;
        this.device = device;
        this.precision = precision;
        this.settings = settings;
    }

    /**
     * The backbone a new job trains on: the module a torchscript job names, the configured weights for DenseNet121,
     * otherwise random weights if allowed. {@code stop} is asked between the layers of a DenseNet being built, and
     * while waiting for another job's build of the same one; its {@link JobStopped} comes out unchanged.
     */
    public LoadedBackbone forTraining(BackboneSpec spec, StopCheck stop) {
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
            return fromFile(spec, location, spec.weightsSha256(), stop);
        }
        if (spec.isStandardDenseNet121() && settings.denseNet121Weights().isPresent()) {
            return fromFile(spec, settings.denseNet121Weights().get(), settings.denseNet121Sha256().orElse(null),
                    stop);
        }
        if (!settings.allowRandom()) {
            throw new JobFailure(spec.isStandardDenseNet121()
                    ? "no DenseNet121 weights are configured (transferlab.backbone.weights) and random weights are "
                    + "not allowed (transferlab.backbone.allow-random-weights=false)"
                    : "published weights exist only for densenet121; a custom DenseNet needs "
                    + "transferlab.backbone.allow-random-weights=true");
        }
        return random(spec, settings.randomSeed(), stop);
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
        OptionalLong seed = randomSeed(weightsSource);
        LoadedBackbone backbone = seed.isPresent() ? random(spec, seed.getAsLong(), StopCheck.NEVER)
                : fromFile(spec, weightsSource, null, StopCheck.NEVER);
        if (!backbone.sha256().equals(expectedSha256)) {
            throw new JobFailure("the backbone weights at " + weightsSource + " have SHA-256 " + backbone.sha256()
                    + " but the model was trained on " + expectedSha256);
        }
        return backbone;
    }

    /** The seed of reproducible random weights ({@code random-init:seed=N}); empty for weights from a file. */
    public static OptionalLong randomSeed(String weightsSource) {
        return weightsSource.startsWith(RANDOM_PREFIX)
                ? OptionalLong.of(Long.parseLong(weightsSource.substring(RANDOM_PREFIX.length())))
                : OptionalLong.empty();
    }

    private LoadedBackbone fromFile(BackboneSpec spec, String source, String expectedSha256, StopCheck stop) {
        StoredWeights file;
        try {
            file = weights.fetch(source, expectedSha256);
        } catch (WeightsException | IllegalArgumentException e) {
            throw new JobFailure(e.getMessage(), e);
        }
        Criteria.Builder<NDList, NDList> criteria = spec.isTorchScript()
                ? BackboneCriteria.torchScript(device) : BackboneCriteria.denseNet(spec, device);
        return get(kind(spec) + "@" + file.sha256(), file.contentAddress(), source, stop, () -> BackboneCriteria.load(
                criteria.optArgument(BackboneCriteria.WEIGHTS, file.file())
                        .optArgument(BackboneCriteria.STOP_CHECK, stop).build(), precision));
    }

    private LoadedBackbone random(BackboneSpec spec, long seed, StopCheck stop) {
        String source = RANDOM_PREFIX + seed;
        return get(kind(spec) + "@" + source, source, source, stop, () -> BackboneCriteria.load(
                BackboneCriteria.denseNet(spec, device).optArgument(BackboneCriteria.RANDOM_SEED, seed)
                        .optArgument(BackboneCriteria.STOP_CHECK, stop).build(), precision));
    }

    private LoadedBackbone get(String key, String weightsSource, String origin, StopCheck stop,
            Supplier<Backbone> load) {
        while (true) {
            CompletableFuture<LoadedBackbone> mine = new CompletableFuture<>();
            CompletableFuture<LoadedBackbone> building = loaded.putIfAbsent(key, mine);
            if (building == null) {
                return build(key, mine, weightsSource, origin, load);
            }
            Optional<LoadedBackbone> built = await(building, stop);
            if (built.isPresent()) {
                return built.get();
            }
            // The job that was building it stopped; this caller builds it instead (or waits for whoever now does).
        }
    }

    private LoadedBackbone build(String key, CompletableFuture<LoadedBackbone> mine, String weightsSource,
            String origin, Supplier<Backbone> load) {
        Backbone backbone;
        try {
            backbone = load.get();
        } catch (JobStopped e) {
            throw abandon(key, mine, e);
        } catch (RuntimeException e) {
            throw abandon(key, mine, new JobFailure("cannot load the backbone from " + origin + ": "
                    + e.getMessage(), e));
        } catch (Error e) {
            throw abandon(key, mine, e);
        }
        LoadedBackbone ready = new LoadedBackbone(backbone, weightsSource, backbone.sha256(), origin);
        mine.complete(ready);
        return ready;
    }

    /** Forgets a build that did not finish, so that the next caller tries again, and tells those waiting for it. */
    private <T extends Throwable> T abandon(String key, CompletableFuture<LoadedBackbone> build, T cause) {
        loaded.remove(key, build);
        build.completeExceptionally(cause);
        return cause;
    }

    /** Another caller's build: its backbone, or empty when that caller's job stopped it. */
    private static Optional<LoadedBackbone> await(CompletableFuture<LoadedBackbone> build, StopCheck stop) {
        while (true) {
            stop.throwIfStopped();
            try {
                return Optional.of(build.get(WAIT_SLICE_MS, TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                // still building; ask this caller's stop check again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobFailure("interrupted while waiting for the backbone to be built", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof JobStopped) {
                    return Optional.empty();
                }
                throw e.getCause() instanceof JobFailure failure ? new JobFailure(failure.getMessage(), failure)
                        : new JobFailure("cannot load the backbone: " + e.getCause(), e.getCause());
            }
        }
    }

    /** What, besides its weights, makes two backbones the same: the architecture, not where the job found it. */
    private static String kind(BackboneSpec spec) {
        return spec.isTorchScript() ? BackboneSpec.TORCHSCRIPT
                : new BackboneSpec(spec.name(), spec.growthRate(), spec.blockConfig(), spec.numInitFeatures(),
                spec.bnSize()).toString();
    }

    @Override
    public void close() {
        // A build still under way closes its backbone as it finishes.
        loaded.values().forEach(build -> build.thenAccept(ready -> ready.backbone().close()));
        loaded.clear();
    }
}
