package dev.transferlab.worker.inference;

import ai.djl.Device;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.jobs.ModelRepository;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.ImageTooLargeException;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.InvalidImageException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers inference requests with the stored models, keeping the most recently used ones loaded. Every failure
 * becomes an error result: the requester always gets an answer rather than a timeout.
 * <p>
 * The cache holds each model as a future: the first request for a cold model loads it on its own thread, later
 * requests for that model wait for the same load, and requests for other models go on meanwhile. A model leaves the
 * cache when it is the least recently used beyond the cache size, but its native memory is freed only once no
 * prediction holds it any more. Requests are batched by a {@link DynamicBatcher}; a bad image fails at decoding, before
 * its batch, so it fails only its own request.
 */
public final class ModelPredictor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelPredictor.class.getName());

    private final ModelRepository models;
    private final BackboneProvider backbones;
    private final Device device;
    private final DecodeBudget decodeBudget;
    private final AsyncCache<String, LoadedModel> cache;
    private final DynamicBatcher<LoadedModel, float[], List<InferenceResult.Prediction>> batcher;

    /**
     * @param decodeBudget the memory image decoding may take, shared with the worker's training jobs
     * @param batching     how concurrent requests for one model are grouped into one forward pass
     */
    public ModelPredictor(ModelRepository models, BackboneProvider backbones, Device device, DecodeBudget decodeBudget,
                          int cacheSize, DynamicBatcher.Settings batching) {
        this.models = models;
        this.backbones = backbones;
        this.device = device;
        this.decodeBudget = decodeBudget;
        // Loads run on the requesting thread (see load), so the executor runs only the cache's upkeep and the
        // removal listener, both cheap: on the caller, which keeps removal in step with the requests that caused it.
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheSize)
                .executor(Runnable::run)
                .<String, LoadedModel>removalListener((key, model, cause) -> {
                    if (model != null) {
                        model.retire();
                    }
                })
                .buildAsync();
        this.batcher = new DynamicBatcher<>("inference-batches", batching, LoadedModel::classify);
    }

    /**
     * The answer to this request, once its batch has run: the image is decoded on the calling thread, then waits
     * with other requests for the same model for one forward pass. Cancelling the answer drops the request from the
     * batch queue if it has not run yet.
     */
    public CompletableFuture<InferenceResult> predict(InferenceRequest request) {
        LoadedModel model;
        float[] input;
        try {
            Optional<LoadedModel> held = acquire(request.tenant(), request.modelId());
            if (held.isEmpty()) {
                return CompletableFuture.completedFuture(InferenceResult.failure(request,
                        InferenceResult.ErrorCode.MODEL_NOT_FOUND, "no model '" + request.modelId() + "'"));
            }
            model = held.get();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(request, e));
        }
        try {
            input = model.preprocess(request.image());
        } catch (RuntimeException e) {
            model.release();
            return CompletableFuture.completedFuture(failure(request, e));
        }
        CompletableFuture<List<InferenceResult.Prediction>> batched = batcher.submit(model, input);
        batched.whenComplete((predictions, failure) -> model.release());
        CompletableFuture<InferenceResult> answer = batched.handle((predictions, failure) -> failure == null
                ? InferenceResult.success(request, predictions)
                : failure(request, failure instanceof CompletionException c ? c.getCause() : failure));
        answer.whenComplete((result, failure) -> {
            if (failure instanceof CancellationException) {
                batched.cancel(false);
            }
        });
        return answer;
    }

    private static InferenceResult failure(InferenceRequest request, Throwable e) {
        if (e instanceof CancellationException) {
            // Nobody waits for it any more (its deadline passed), or the worker is shutting down: nothing to log.
            return InferenceResult.failure(request, InferenceResult.ErrorCode.INTERNAL,
                    "the prediction was dropped before it ran: " + e.getMessage());
        }
        if (e instanceof ImageTooLargeException) {
            return InferenceResult.failure(request, InferenceResult.ErrorCode.IMAGE_TOO_LARGE, e.getMessage());
        }
        if (e instanceof InvalidImageException) {
            return InferenceResult.failure(request, InferenceResult.ErrorCode.INVALID_IMAGE,
                    "the image cannot be decoded: " + e.getMessage());
        }
        LOG.log(Level.SEVERE, "prediction " + request.requestId() + " failed", e);
        return InferenceResult.failure(request, InferenceResult.ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
    }

    /** Forward passes run for predictions so far; with {@link #imagesBatched()}, the mean batch size. */
    public long forwardPasses() {
        return batcher.batchesRun();
    }

    public long imagesBatched() {
        return batcher.inputsRun();
    }

    /** Whether a forward pass has been running for longer than {@code limit}. */
    public boolean stalled(Duration limit) {
        return batcher.stalled(limit);
    }

    /**
     * The model, held for one prediction (the caller releases it), or empty when there is no such model. A model
     * evicted between the lookup and the hold is looked up again, which loads it anew.
     */
    private Optional<LoadedModel> acquire(String tenant, String modelId) {
        String key = tenant + "/" + modelId;
        while (true) {
            CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
            CompletableFuture<LoadedModel> entry = cache.get(key, (k, executor) -> mine);
            if (entry == mine) {
                load(tenant, modelId, mine);
            }
            LoadedModel model;
            try {
                model = entry.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            if (model == null) {
                return Optional.empty();
            }
            if (model.tryAcquire()) {
                return Optional.of(model);
            }
        }
    }

    /**
     * Loads outside the cache's own locks, so that other models' lookups never wait for it. A model that does not
     * exist completes as null, which the cache drops (it may be trained later); so does a failed load, retried by the
     * next request.
     */
    private void load(String tenant, String modelId, CompletableFuture<LoadedModel> into) {
        try {
            Optional<ModelManifest> manifest = models.manifest(tenant, modelId);
            if (manifest.isEmpty()) {
                into.complete(null);
                return;
            }
            ModelManifest m = manifest.get();
            LoadedBackbone backbone = backbones.forModel(m.backbone(), m.backboneWeights(), m.backboneSha256());
            into.complete(new LoadedModel(m, backbone, new ImagePreprocessor(m.preprocessing(), decodeBudget),
                    Head.load(models.headWeights(m), device)));
        } catch (RuntimeException | Error e) {
            into.completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        batcher.close();
        cache.synchronous().invalidateAll();
        cache.synchronous().cleanUp();
    }
}
