package dev.transferlab.worker.inference;

import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.ImagePreprocessor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A model ready for predictions. Its head lives in native memory, which the garbage collector does not free, so it
 * is counted: each prediction holds it, and the head is closed when it has been retired from the cache and the last
 * prediction has let go. The backbone is shared with other models and jobs and is not this model's to close.
 */
final class LoadedModel {
    private final ModelManifest manifest;
    private final LoadedBackbone backbone;
    private final ImagePreprocessor preprocessor;
    private final Head head;
    private int holders;
    private boolean retired;

    LoadedModel(ModelManifest manifest, LoadedBackbone backbone, ImagePreprocessor preprocessor, Head head) {
        this.manifest = manifest;
        this.backbone = backbone;
        this.preprocessor = preprocessor;
        this.head = head;
    }

    /** Holds the model for one prediction; false once it has been retired. */
    synchronized boolean tryAcquire() {
        if (retired) {
            return false;
        }
        holders++;
        return true;
    }

    synchronized void release() {
        holders--;
        closeIfUnused();
    }

    /** Out of the cache: no new prediction may hold it, and it is closed when the current ones end. */
    synchronized void retire() {
        retired = true;
        closeIfUnused();
    }

    /** The backbone's input for this image; only while held. */
    float[] preprocess(byte[] image) {
        return preprocessor.apply(image);
    }

    /** For each input, its classes by probability, best first: one forward pass for all; only while held. */
    List<List<InferenceResult.Prediction>> classify(List<float[]> inputs) {
        float[][] probabilities = head.probabilities(backbone.backbone().features(inputs));
        List<List<InferenceResult.Prediction>> answers = new ArrayList<>(inputs.size());
        for (float[] p : probabilities) {
            List<InferenceResult.Prediction> predictions = new ArrayList<>(p.length);
            for (int c = 0; c < p.length; c++) {
                predictions.add(new InferenceResult.Prediction(manifest.classes().get(c), p[c]));
            }
            predictions.sort(Comparator.comparingDouble(InferenceResult.Prediction::probability).reversed());
            answers.add(predictions);
        }
        return answers;
    }

    private void closeIfUnused() {
        if (retired && holders == 0) {
            head.close();
        }
    }
}
