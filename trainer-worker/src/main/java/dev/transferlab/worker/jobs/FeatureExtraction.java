package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.InvalidImageException;
import dev.transferlab.worker.ml.LabelledFeatures;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every image of a split through the frozen backbone once. Images that cannot be read or decoded are skipped
 * and counted, never fatal: one bad file must not cost a user the whole job.
 */
public final class FeatureExtraction {
    private final ObjectStore store;
    private final ImagePreprocessor preprocessor;
    private final Backbone backbone;
    private final int batchSize;
    private final Runnable beforeBatch;

    /** @param beforeBatch runs before every backbone batch; it throws to stop the extraction (cancellation) */
    public FeatureExtraction(ObjectStore store, ImagePreprocessor preprocessor, Backbone backbone, int batchSize,
                             Runnable beforeBatch) {
        this.store = store;
        this.preprocessor = preprocessor;
        this.backbone = backbone;
        this.batchSize = batchSize;
        this.beforeBatch = beforeBatch;
    }

    public record Result(LabelledFeatures features, List<String> skipped) {
    }

    public Result extract(List<ImageFolder.Item> items) {
        List<float[]> features = new ArrayList<>(items.size());
        List<Integer> labels = new ArrayList<>(items.size());
        List<String> skipped = new ArrayList<>();
        List<float[]> batch = new ArrayList<>(batchSize);
        List<Integer> batchLabels = new ArrayList<>(batchSize);
        for (ImageFolder.Item item : items) {
            try {
                byte[] bytes = store.get(item.location()).orElseThrow(
                        () -> new InvalidImageException("object disappeared"));
                batch.add(preprocessor.apply(bytes));
                batchLabels.add(item.label());
            } catch (InvalidImageException e) {
                skipped.add(item.location() + ": " + e.getMessage());
            }
            if (batch.size() == batchSize) {
                flush(batch, batchLabels, features, labels);
            }
        }
        flush(batch, batchLabels, features, labels);
        return new Result(new LabelledFeatures(features.toArray(float[][]::new),
                labels.stream().mapToInt(Integer::intValue).toArray()), skipped);
    }

    private void flush(List<float[]> batch, List<Integer> batchLabels, List<float[]> features, List<Integer> labels) {
        if (batch.isEmpty()) {
            return;
        }
        beforeBatch.run();
        features.addAll(List.of(backbone.features(batch)));
        labels.addAll(batchLabels);
        batch.clear();
        batchLabels.clear();
    }
}
