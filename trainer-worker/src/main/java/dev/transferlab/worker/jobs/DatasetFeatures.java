package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.ImagePreprocessor;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A dataset's features: from the cache when these images, these backbone weights and this preprocessing were seen
 * before (the backbone is frozen, so its features never change), otherwise computed once and cached.
 */
public final class DatasetFeatures {
    private final ObjectStore store;
    private final FeatureCache cache;
    private final FeatureSettings settings;

    public DatasetFeatures(ObjectStore store, FeatureSettings settings) {
        this.store = store;
        this.cache = new FeatureCache(store);
        this.settings = settings;
    }

    /** @param fromCache true when the backbone did no work: the table was read from {@code cacheKey} */
    public record Result(FeatureTable table, boolean fromCache, String cacheKey) {

        /** What a feature-cache-hit event reports. */
        public ExtractionProgress summary() {
            List<String> listed = table.skipped().stream().limit(ExtractionProgress.MAX_LISTED)
                    .map(s -> s.path() + ": " + s.reason()).toList();
            int total = table.size() + table.skipped().size();
            return new ExtractionProgress(total, total, table.skipped().size(), 0, 0, listed, cacheKey);
        }
    }

    /** @param beforeBatch runs before every backbone batch; it throws to stop the extraction (cancellation) */
    public Result features(String tenant, ImageFolder dataset, LoadedBackbone backbone, PreprocessingSpec preprocessing,
                           Consumer<ExtractionProgress> progress, Runnable beforeBatch) {
        ObjectLocation key = store.inDefaultBucket(StorageLayout.featureCache(tenant, dataset.contentHash(),
                backbone.sha256(), preprocessing.fingerprint()));
        List<ImageFolder.Item> items = dataset.all();
        Optional<FeatureTable> cached = cache.read(key).filter(table -> table.covers(items));
        if (cached.isPresent()) {
            return new Result(cached.get(), true, key.toString());
        }
        FeatureTable table = new FeatureExtraction(store, new ImagePreprocessor(preprocessing, settings.decodeBudget()), backbone.backbone(),
                settings, beforeBatch).extract(items, progress);
        cache.write(key, table);
        return new Result(table, false, key.toString());
    }
}
