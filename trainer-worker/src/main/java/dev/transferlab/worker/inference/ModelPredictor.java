package dev.transferlab.worker.inference;

import ai.djl.Device;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.jobs.ModelRepository;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.ImageTooLargeException;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.InvalidImageException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers inference requests with the stored models, keeping the most recently used ones loaded. Every failure
 * becomes an error result: the requester always gets an answer rather than a timeout.
 */
public final class ModelPredictor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelPredictor.class.getName());

    private final ModelRepository models;
    private final BackboneProvider backbones;
    private final Device device;
    private final DecodeBudget decodeBudget;
    private final Map<String, LoadedModel> cache;

    /** @param decodeBudget the memory image decoding may take, shared with the worker's training jobs */
    public ModelPredictor(ModelRepository models, BackboneProvider backbones, Device device, DecodeBudget decodeBudget,
                          int cacheSize) {
        this.models = models;
        this.backbones = backbones;
        this.device = device;
        this.decodeBudget = decodeBudget;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LoadedModel> eldest) {
                if (size() > cacheSize) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
    }

    public InferenceResult predict(InferenceRequest request) {
        try {
            Optional<LoadedModel> model = load(request.tenant(), request.modelId());
            if (model.isEmpty()) {
                return InferenceResult.failure(request, InferenceResult.ErrorCode.MODEL_NOT_FOUND,
                        "no model '" + request.modelId() + "'");
            }
            return InferenceResult.success(request, model.get().classify(request.image()));
        } catch (ImageTooLargeException e) {
            return InferenceResult.failure(request, InferenceResult.ErrorCode.IMAGE_TOO_LARGE, e.getMessage());
        } catch (InvalidImageException e) {
            return InferenceResult.failure(request, InferenceResult.ErrorCode.INVALID_IMAGE,
                    "the image cannot be decoded: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "prediction " + request.requestId() + " failed", e);
            return InferenceResult.failure(request, InferenceResult.ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
        }
    }

    private synchronized Optional<LoadedModel> load(String tenant, String modelId) {
        String key = tenant + "/" + modelId;
        LoadedModel cached = cache.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<ModelManifest> manifest = models.manifest(tenant, modelId);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        ModelManifest m = manifest.get();
        LoadedBackbone backbone = backbones.forModel(m.backbone(), m.backboneWeights(), m.backboneSha256());
        LoadedModel model = new LoadedModel(m, backbone, new ImagePreprocessor(m.preprocessing(), decodeBudget),
                Head.load(models.headWeights(m), device));
        cache.put(key, model);
        return Optional.of(model);
    }

    @Override
    public synchronized void close() {
        cache.values().forEach(LoadedModel::close);
        cache.clear();
    }

    private static final class LoadedModel implements AutoCloseable {
        private final ModelManifest manifest;
        private final LoadedBackbone backbone;
        private final ImagePreprocessor preprocessor;
        private final Head head;
        private boolean closed;

        LoadedModel(ModelManifest manifest, LoadedBackbone backbone, ImagePreprocessor preprocessor, Head head) {
            this.manifest = manifest;
            this.backbone = backbone;
            this.preprocessor = preprocessor;
            this.head = head;
        }

        List<InferenceResult.Prediction> classify(byte[] image) {
            float[] input = preprocessor.apply(image);
            float[][] features = backbone.backbone().features(List.of(input));
            float[] probabilities;
            synchronized (this) {
                if (closed) {
                    throw new JobFailure("model " + manifest.modelId() + " was unloaded; retry");
                }
                probabilities = head.probabilities(features)[0];
            }
            List<InferenceResult.Prediction> predictions = new ArrayList<>();
            for (int c = 0; c < probabilities.length; c++) {
                predictions.add(new InferenceResult.Prediction(manifest.classes().get(c), probabilities[c]));
            }
            predictions.sort(Comparator.comparingDouble(InferenceResult.Prediction::probability).reversed());
            return predictions;
        }

        @Override
        public synchronized void close() {
            closed = true;
            head.close();
        }
    }
}
