package dev.transferlab.worker.jobs;

import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.DecodePipeline;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.InvalidImageException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs every image through the frozen backbone once: the decode pipeline reads and preprocesses in parallel, this
 * thread feeds its batches to the backbone. Images that cannot be read or decoded are skipped and counted, never
 * fatal: one bad file must not cost a user the whole job. Progress is reported at most once per interval, and once
 * at the end.
 */
public final class FeatureExtraction {
    private final ObjectStore store;
    private final ImagePreprocessor preprocessor;
    private final Backbone backbone;
    private final FeatureSettings settings;
    private final Runnable beforeBatch;

    /** @param beforeBatch runs before every backbone batch; it throws to stop the extraction (cancellation) */
    public FeatureExtraction(ObjectStore store, ImagePreprocessor preprocessor, Backbone backbone,
                             FeatureSettings settings, Runnable beforeBatch) {
        this.store = store;
        this.preprocessor = preprocessor;
        this.backbone = backbone;
        this.settings = settings;
        this.beforeBatch = beforeBatch;
    }

    public FeatureTable extract(List<ImageFolder.Item> items, Consumer<ExtractionProgress> progress) {
        Map<String, float[]> features = new LinkedHashMap<>();
        List<SkippedFile> skipped = new ArrayList<>();
        Progress tracker = new Progress(items.size(), settings.progressInterval(), progress);
        new DecodePipeline<ImageFolder.Item>(preprocessor, settings.decodeThreads(), settings.batchSize())
                .run(items, this::load, new DecodePipeline.Sink<>() {
                    @Override
                    public void batch(List<ImageFolder.Item> batch, List<float[]> images) {
                        beforeBatch.run();
                        float[][] rows = backbone.features(images);
                        for (int i = 0; i < rows.length; i++) {
                            features.put(batch.get(i).path(), rows[i]);
                        }
                        tracker.advance(batch.size(), skipped);
                    }

                    @Override
                    public void skipped(ImageFolder.Item item, String reason) {
                        skipped.add(new SkippedFile(item.path(), reason));
                        tracker.advance(1, skipped);
                    }
                });
        tracker.finish(skipped);
        return new FeatureTable(backbone.featureSize(), features, skipped);
    }

    private byte[] load(ImageFolder.Item item) {
        return store.get(item.location()).orElseThrow(() -> new InvalidImageException("the object disappeared"));
    }

    /** Counts images done and turns the count into progress reports with a rate and an ETA. */
    private static final class Progress {
        private final int total;
        private final long intervalNanos;
        private final Consumer<ExtractionProgress> listener;
        private final long start = System.nanoTime();
        private long lastReport = start;
        private int done;

        Progress(int total, Duration interval, Consumer<ExtractionProgress> listener) {
            this.total = total;
            this.intervalNanos = interval.toNanos();
            this.listener = listener;
        }

        void advance(int images, List<SkippedFile> skipped) {
            done += images;
            long now = System.nanoTime();
            if (done < total && now - lastReport >= intervalNanos) {
                lastReport = now;
                listener.accept(report(skipped, null));
            }
        }

        void finish(List<SkippedFile> skipped) {
            listener.accept(report(skipped, skipped.subList(0, Math.min(skipped.size(),
                    ExtractionProgress.MAX_LISTED)).stream().map(s -> s.path() + ": " + s.reason()).toList()));
        }

        private ExtractionProgress report(List<SkippedFile> skipped, List<String> listed) {
            double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
            double rate = done / seconds;
            double eta = rate > 0 ? (total - done) / rate : 0;
            return new ExtractionProgress(done, total, skipped.size(), rate, eta, listed, null);
        }
    }
}
