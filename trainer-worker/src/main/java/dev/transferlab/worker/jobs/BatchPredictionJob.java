package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.BatchPredictionLine;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.ImagePreprocessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * One batch prediction job: every image under a location through a stored model, results in object storage. The
 * images are sorted and cut into parts of a fixed size; each part's lines are written as one object, so a job stopped
 * midway (its worker crashed or shut down) is resumed by the next worker from the first part not written, and every
 * image's line is written once. When the parts are all there they are assembled, in order, into the results' JSON
 * Lines and CSV files. Images whose features are in the feature cache (for the model's backbone weights and
 * preprocessing) skip the backbone; when all are, the backbone is not even loaded. An image that cannot be read or
 * decoded gets an error in its own line.
 */
public final class BatchPredictionJob {
    private static final Logger LOG = Logger.getLogger(BatchPredictionJob.class.getName());

    private final ObjectStore store;
    private final BackboneProvider backbones;
    private final ModelRepository models;
    private final Device device;
    private final Cancellations cancellations;
    private final Draining draining;
    private final FeatureSettings featureSettings;
    private final DatasetAccess datasets;
    private final int partSize;
    private final String workerName;

    /**
     * @param partSize images per part of the results: the most work a resumed job repeats, and the finest grain of
     *                 its progress events
     */
    public BatchPredictionJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                              Cancellations cancellations, Draining draining, FeatureSettings featureSettings,
                              DatasetAccess datasets, int partSize, String workerName) {
        this.store = store;
        this.backbones = backbones;
        this.models = models;
        this.device = device;
        this.cancellations = cancellations;
        this.draining = draining;
        this.featureSettings = featureSettings;
        this.datasets = datasets;
        this.partSize = partSize;
        this.workerName = workerName;
    }

    public TrainingJob.Outcome run(BatchPredictionRequest request, EventSink sink) {
        if (!draining.enter(request.jobId())) {
            return TrainingJob.Outcome.NOT_STARTED;
        }
        try {
            return runInSlot(request, new Events(request, sink, UUID.randomUUID().toString().substring(0, 8)));
        } finally {
            draining.exit();
        }
    }

    private TrainingJob.Outcome runInSlot(BatchPredictionRequest request, Events events) {
        Optional<String> refusal = datasets.trainingRefusal(request.tenant(), request.input());
        if (refusal.isPresent()) {
            events.publish(TrainingEventType.FAILED, b -> b.reason("input refused: " + refusal.get()
                    + "; a job reads only its tenant's own datasets and prefixes granted to it"));
            return TrainingJob.Outcome.FAILED;
        }
        if (store.exists(results(request, "jsonl"))) {
            LOG.info(() -> request.jobId() + " has its results already; ignoring the replayed command");
            return TrainingJob.Outcome.ALREADY_DONE;
        }
        try {
            throwIfStopping(request);
            predict(request, events);
            return TrainingJob.Outcome.COMPLETED;
        } catch (Cancellations.JobCancelled e) {
            store.deleteAll(store.inDefaultBucket(StorageLayout.batchPredictionPrefix(request.tenant(),
                    request.jobId())));
            events.publish(TrainingEventType.CANCELLED, b -> b.message("cancelled; its partial results were deleted"));
            return TrainingJob.Outcome.CANCELLED;
        } catch (Draining.JobReleased e) {
            try {
                events.publish(TrainingEventType.RELEASED, b -> b.epoch(0).message(workerName + " is shutting down "
                        + "and released the job; the next worker skips the parts of its results already written"));
            } catch (RuntimeException notPublished) {
                // Released all the same: the command stays unacknowledged (see TrainingJob).
                LOG.log(Level.WARNING, request.jobId() + ": the released event could not be published", notPublished);
            }
            return TrainingJob.Outcome.RELEASED;
        } catch (JobFailure e) {
            events.publish(TrainingEventType.FAILED, b -> b.reason(e.getMessage()));
            return TrainingJob.Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, request.jobId() + " failed unexpectedly", e);
            events.publish(TrainingEventType.FAILED, b -> b.reason("internal error in the trainer-worker: " + e));
            return TrainingJob.Outcome.FAILED;
        }
    }

    private void throwIfStopping(BatchPredictionRequest request) {
        cancellations.throwIfCancelled(request.tenant(), request.jobId());
        draining.throwIfDraining(request.jobId());
    }

    private void predict(BatchPredictionRequest request, Events events) {
        ModelManifest model = models.manifest(request.tenant(), request.modelId()).orElseThrow(() ->
                new JobFailure("no model '" + request.modelId() + "' of tenant '" + request.tenant() + "'"));
        ImageFolderLister.PredictionInput input = new ImageFolderLister(store)
                .listForPrediction(request.tenant(), request.input(), request.datasetId());
        List<ImageFolder.Item> items = input.items();
        ObjectLocation cacheKey = store.inDefaultBucket(StorageLayout.featureCache(request.tenant(),
                input.contentHash(), model.backboneSha256(), model.preprocessing().fingerprint()));
        FeatureCache cache = new FeatureCache(store);
        Optional<FeatureTable> cached = cache.read(cacheKey);
        int parts = (items.size() + partSize - 1) / partSize;
        int written = (int) IntStream.range(0, parts).filter(p -> store.exists(part(request, p)))
                .count();
        events.publish(TrainingEventType.STARTED, b -> b.message("predicting " + items.size() + " images with model "
                + request.modelId() + (written > 0 ? "; resuming: " + written + " of " + parts
                + " parts of the results were written before" : "")));
        if (cached.isPresent() && cached.get().covers(items)) {
            events.publish(TrainingEventType.FEATURE_CACHE_HIT, b -> b.extraction(new DatasetFeatures.Result(
                    cached.get(), true, cacheKey.toString()).summary()).message("features of all " + items.size()
                    + " images read from the feature cache; the backbone does no work for this job"));
        }
        try (Head head = Head.load(models.headWeights(model), device)) {
            Parts run = new Parts(request, model, head, cached, events, items.size());
            for (int p = 0; p < parts; p++) {
                throwIfStopping(request);
                run.write(p, items.subList(p * partSize, Math.min(items.size(), (p + 1) * partSize)));
            }
            if (run.computed != null && written == 0) {
                // Only a run that saw every image's features can cache them; after a resume the earlier parts'
                // features are gone with the worker that computed them.
                cache.write(cacheKey, cached.map(table -> table.with(run.computed)).orElse(run.computed));
            }
            ResultFiles.Assembled results = new ResultFiles(store).assemble(model.classes(),
                    IntStream.range(0, parts).mapToObj(p -> part(request, p)).toList(), results(request, "csv"),
                    results(request, "jsonl"));
            int failed = results.failed();
            events.publish(TrainingEventType.COMPLETED, b -> b.artifacts(results.artifacts()).message("predicted "
                    + (items.size() - failed) + " images" + (failed > 0 ? "; " + failed + " could not be read or "
                    + "decoded (see the error of their lines)" : "")));
        }
    }

    /** Writes the parts not written yet; counts what it did, for progress and for the feature cache. */
    private final class Parts {
        private final BatchPredictionRequest request;
        private final ModelManifest model;
        private final Head head;
        private final Optional<FeatureTable> cached;
        private final Events events;
        private final int total;
        private final long start = System.nanoTime();
        private LoadedBackbone backbone;
        private ImagePreprocessor preprocessor;
        private FeatureTable computed;
        private int done;
        private int doneHere;
        private int failed;

        Parts(BatchPredictionRequest request, ModelManifest model, Head head, Optional<FeatureTable> cached,
              Events events, int total) {
            this.request = request;
            this.model = model;
            this.head = head;
            this.cached = cached;
            this.events = events;
            this.total = total;
        }

        void write(int index, List<ImageFolder.Item> items) {
            ObjectLocation at = part(request, index);
            if (store.exists(at)) {
                done += items.size();
                return;
            }
            List<ImageFolder.Item> uncached = items.stream().filter(i -> cached.map(t -> t.features(i.path())
                    .isEmpty() && t.skipReason(i.path()).isEmpty()).orElse(true)).toList();
            Set<ImageFolder.Item> fromBackbone = new HashSet<>(uncached);
            FeatureTable fresh = uncached.isEmpty() ? null : extract(uncached);
            List<float[]> rows = new ArrayList<>();
            List<ImageFolder.Item> predicted = new ArrayList<>();
            Map<String, String> errors = new LinkedHashMap<>();
            for (ImageFolder.Item item : items) {
                Optional<FeatureTable> source = fromBackbone.contains(item) ? Optional.of(fresh) : cached;
                Optional<float[]> row = source.flatMap(t -> t.features(item.path()));
                if (row.isPresent()) {
                    rows.add(row.get());
                    predicted.add(item);
                } else {
                    errors.put(item.path(), source.flatMap(t -> t.skipReason(item.path())).orElse("no features"));
                }
            }
            float[][] probabilities = head.probabilities(rows.toArray(float[][]::new));
            Map<String, BatchPredictionLine> lines = new LinkedHashMap<>();
            for (int i = 0; i < predicted.size(); i++) {
                lines.put(predicted.get(i).path(), line(predicted.get(i).path(), probabilities[i]));
            }
            StringBuilder jsonl = new StringBuilder();
            for (ImageFolder.Item item : items) {
                BatchPredictionLine line = lines.getOrDefault(item.path(),
                        BatchPredictionLine.failed(item.path(), errors.get(item.path())));
                jsonl.append(Messages.toJson(line)).append('\n');
            }
            store.put(at, jsonl.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
            failed += errors.size();
            done += items.size();
            doneHere += items.size();
            double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
            double rate = doneHere / seconds;
            ExtractionProgress progress = new ExtractionProgress(done, total, failed, rate,
                    rate > 0 ? (total - done) / rate : 0, null, null);
            events.publish(TrainingEventType.EXTRACTION_PROGRESS, b -> b.extraction(progress));
        }

        private FeatureTable extract(List<ImageFolder.Item> uncached) {
            if (backbone == null) {
                backbone = backbones.forModel(model.backbone(), model.backboneWeights(), model.backboneSha256());
                preprocessor = new ImagePreprocessor(model.preprocessing(), featureSettings.decodeBudget());
            }
            FeatureTable table = new FeatureExtraction(store, preprocessor, backbone.backbone(), featureSettings,
                    () -> throwIfStopping(request)).extract(uncached, progress -> {
                    });
            computed = computed == null ? table : computed.with(table);
            return table;
        }

        private BatchPredictionLine line(String path, float[] probabilities) {
            Map<String, Double> byClass = new LinkedHashMap<>();
            int best = 0;
            for (int c = 0; c < probabilities.length; c++) {
                byClass.put(model.classes().get(c), (double) probabilities[c]);
                best = probabilities[c] > probabilities[best] ? c : best;
            }
            return new BatchPredictionLine(path, model.classes().get(best), byClass, null);
        }
    }

    private ObjectLocation part(BatchPredictionRequest request, int index) {
        return store.inDefaultBucket(StorageLayout.batchPredictionPart(request.tenant(), request.jobId(), index));
    }

    private ObjectLocation results(BatchPredictionRequest request, String format) {
        return store.inDefaultBucket(StorageLayout.batchPredictionResults(request.tenant(), request.jobId(), format));
    }

    /** One run of the job on this worker: its started and released events carry the run's own id. */
    private record Events(BatchPredictionRequest request, EventSink sink, String run) {
        void publish(TrainingEventType type, UnaryOperator<TrainingEvent.Builder> details) {
            sink.publish(details.apply(TrainingEvent.builder(request.jobId(), request.tenant(), type).run(run))
                    .build());
        }
    }
}
