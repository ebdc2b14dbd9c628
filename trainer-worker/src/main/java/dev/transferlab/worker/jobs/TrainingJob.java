package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.HeadTrainer;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.TrainingHooks;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.TrainingOutcome;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One training job from command to stored model: list the dataset, compute the frozen backbone's features once,
 * train the head (checkpointing after every epoch, so a replacement worker resumes where a dead one stopped), store
 * the model, and report every step as an event. Any failure ends the job with a failed event; it never escapes to
 * the caller, so the worker goes on with the next job.
 */
public final class TrainingJob {
    private static final Logger LOG = Logger.getLogger(TrainingJob.class.getName());

    private final ObjectStore store;
    private final BackboneProvider backbones;
    private final ModelRepository models;
    private final CheckpointStore checkpoints;
    private final Device device;
    private final Cancellations cancellations;
    private final Draining draining;
    private final FeatureSettings featureSettings;
    private final DatasetAccess datasets;
    private final JobMetrics metrics;
    private final String workerName;

    public TrainingJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                       Cancellations cancellations, FeatureSettings featureSettings) {
        this(store, backbones, models, device, cancellations, new Draining(), featureSettings,
                DatasetAccess.ownDatasetsOnly(store.defaultBucket()), JobMetrics.NONE, "trainer-worker");
    }

    /**
     * @param draining   set when this worker shuts down: a running job is then released, and none starts
     * @param datasets   what each tenant may train on; a job for anything else fails before storage is touched
     * @param workerName names this worker in the events that say it released a job
     */
    public TrainingJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                       Cancellations cancellations, Draining draining, FeatureSettings featureSettings,
                       DatasetAccess datasets, JobMetrics metrics, String workerName) {
        this.store = store;
        this.backbones = backbones;
        this.models = models;
        this.checkpoints = new CheckpointStore(store);
        this.device = device;
        this.cancellations = cancellations;
        this.draining = draining;
        this.featureSettings = featureSettings;
        this.datasets = datasets;
        this.metrics = metrics;
        this.workerName = workerName;
    }

    /**
     * How the job ended, for the caller's log and for tests. After {@link #RELEASED} and {@link #NOT_STARTED} the
     * command must be neither acknowledged nor rejected: it belongs to the worker that takes it next.
     */
    public enum Outcome {
        COMPLETED, FAILED, CANCELLED, ALREADY_DONE,
        /** Stopped at a batch boundary because this worker is shutting down; its last checkpoint is kept. */
        RELEASED,
        /** Not begun: this worker was already shutting down when the command reached it. */
        NOT_STARTED;

        /** Whether the command is done with; false means another worker must get it again. */
        public boolean settled() {
            return this != RELEASED && this != NOT_STARTED;
        }
    }

    public Outcome run(TrainingRequest request, EventSink sink) {
        if (!draining.enter(request.jobId())) {
            LOG.info(() -> request.jobId() + " not started: this worker is shutting down; another worker takes it");
            return Outcome.NOT_STARTED;
        }
        try {
            return runInSlot(request, sink);
        } finally {
            draining.exit();
        }
    }

    private Outcome runInSlot(TrainingRequest request, EventSink sink) {
        Optional<String> refusal = datasets.trainingRefusal(request.tenant(), request.dataset())
                .map(reason -> "dataset refused: " + reason)
                .or(() -> datasets.weightsRefusal(request.tenant(), request.backbone().weights())
                        .map(reason -> "backbone weights refused: " + reason));
        if (refusal.isPresent()) {
            // Before the first read (even of its own model's manifest), and without the failure path's checkpoint
            // clean-up: a job refused here touches nothing in storage.
            LOG.info(() -> request.jobId() + " refused: " + refusal.get());
            new Events(request, sink).publish(TrainingEventType.FAILED, b -> b.reason(refusal.get()
                    + "; a job reads only its tenant's own datasets (" + StorageLayout.tenantDatasets(request.tenant())
                    + ") and prefixes the platform team granted it (transferlab.dataset-grants." + request.tenant()
                    + ")"));
            return Outcome.FAILED;
        }
        if (models.manifest(request.tenant(), request.jobId()).isPresent()) {
            // A redelivered command of a finished job: its model and completed event exist already.
            LOG.info(() -> request.jobId() + " already has a model; ignoring the replayed command");
            return Outcome.ALREADY_DONE;
        }
        Events events = new Events(request, sink);
        CheckpointUploads uploads = new CheckpointUploads(checkpoints, request,
                epoch -> events.publish(TrainingEventType.CHECKPOINTED, b -> b.epoch(epoch)));
        try {
            throwIfStopping(request);
            train(request, events, uploads);
            return Outcome.COMPLETED;
        } catch (Cancellations.JobCancelled e) {
            // Deleted once no upload is under way, so none can store the checkpoint again.
            uploads.abandon();
            checkpoints.delete(request);
            events.publish(TrainingEventType.CANCELLED, b -> b.message("cancelled; no model was stored"));
            return Outcome.CANCELLED;
        } catch (Draining.JobReleased e) {
            // The checkpoint of the last completed epoch is stored once its upload ends; the work since then is
            // repeated by the next worker, at most one epoch of head training or the extraction, whose features are
            // not cached until all of them are computed.
            try {
                uploads.finish();
            } catch (RuntimeException notStored) {
                LOG.log(Level.WARNING, request.jobId() + ": the last checkpoint could not be stored; the next worker "
                        + "resumes from the one before", notStored);
            }
            int epoch = uploads.storedEpoch();
            LOG.info(() -> request.jobId() + " released: this worker is shutting down; "
                    + (epoch > 0 ? "the next worker resumes after epoch " + epoch : "the next worker starts over"));
            try {
                events.publish(TrainingEventType.RELEASED, b -> b.epoch(epoch).message(workerName
                        + " is shutting down and released the job " + (epoch > 0 ? "after epoch " + epoch
                        + " (its checkpoint is kept)" : "before its first checkpoint")
                        + "; waiting for another worker"));
            } catch (RuntimeException notPublished) {
                // The job is released all the same: its command is not acknowledged, so the next worker gets it.
                // Escaping from here would reject the command instead, and so dead-letter it.
                LOG.log(Level.WARNING, request.jobId() + ": the released event could not be published",
                        notPublished);
            }
            return Outcome.RELEASED;
        } catch (JobFailure e) {
            LOG.info(() -> request.jobId() + " failed: " + e.getMessage());
            uploads.abandon();
            checkpoints.delete(request);
            events.publish(TrainingEventType.FAILED, b -> b.reason(e.getMessage()));
            return Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, request.jobId() + " failed unexpectedly", e);
            uploads.abandon();
            events.publish(TrainingEventType.FAILED, b -> b.reason("internal error in the trainer-worker: " + e));
            return Outcome.FAILED;
        } finally {
            uploads.close();
        }
    }

    /**
     * A job stops at a batch boundary, or between the layers of its backbone being built, when it was cancelled or
     * when its worker shuts down.
     */
    private void throwIfStopping(TrainingRequest request) {
        cancellations.throwIfCancelled(request.tenant(), request.jobId());
        draining.throwIfDraining(request.jobId());
    }

    private void train(TrainingRequest request, Events events, CheckpointUploads uploads) {
        LOG.info(() -> request.jobId() + ": loading backbone " + request.backbone().name());
        // Building a large backbone takes long, so it stops between layers like the job's batches do.
        LoadedBackbone backbone = backbones.forTraining(request.backbone(), () -> throwIfStopping(request));
        Optional<HeadCheckpoint> resumeFrom = checkpoints.load(request);
        resumeFrom.ifPresent(checkpoint -> uploads.alreadyStored(checkpoint.epoch()));
        resumeFrom.ifPresentOrElse(
                checkpoint -> events.publish(TrainingEventType.RESUMED, b -> b.epoch(checkpoint.epoch())
                        .message("resuming after epoch " + checkpoint.epoch() + " from its checkpoint; extracting "
                                + "features again")),
                () -> events.publish(TrainingEventType.STARTED, b -> b.message(backbone.isRandom()
                        ? "extracting features; WARNING: the backbone has RANDOM weights (" + backbone.weightsSource()
                        + "), not pretrained ones, so accuracy will be far below a real DenseNet121's"
                        : "extracting features with backbone " + request.backbone().name() + ", weights from "
                        + backbone.origin() + " (stored at " + backbone.weightsSource() + ")")));

        ImageFolder dataset = new ImageFolderLister(store).list(request);
        // Before the backbone's work, so a misspelt class costs the user no extraction.
        requireClassWeightsFit(request, dataset.classes(), dataset.sets(request.hyperparameters()).train().stream()
                .mapToInt(ImageFolder.Item::label).toArray());
        PreprocessingSpec preprocessing = request.preprocessingOrDefault();
        DatasetFeatures.Result features = new DatasetFeatures(store, featureSettings).features(request.tenant(),
                dataset, backbone, preprocessing,
                extraction -> {
                    events.publish(TrainingEventType.EXTRACTION_PROGRESS, b -> b.extraction(extraction));
                    if (extraction.finished()) {
                        metrics.extractionFinished(extraction);
                    }
                },
                () -> throwIfStopping(request));
        LOG.info(() -> request.jobId() + ": " + (features.fromCache() ? "features read from the cache "
                + features.cacheKey() + ", no images through the backbone" : features.table().size()
                + " images through the backbone, features cached at " + features.cacheKey()));
        if (features.fromCache()) {
            events.publish(TrainingEventType.FEATURE_CACHE_HIT, b -> b.extraction(features.summary())
                    .message("features of " + features.table().size() + " images read from the feature cache; the "
                            + "backbone does no work for this job"));
        }
        DatasetBaselines.Probed probed = new DatasetBaselines(store).of(request.tenant(), request.datasetId(), dataset,
                features.table(), backbone.sha256(), preprocessing.fingerprint());
        events.publish(TrainingEventType.LEARNABILITY_BASELINE, b -> b.baseline(probed.baseline())
                .message(probed.message()));
        if (request.featuresOnlyOrDefault()) {
            uploads.abandon();
            events.publish(TrainingEventType.COMPLETED, b -> b.message("features of " + features.table().size()
                    + " images " + (features.fromCache() ? "found in" : "written to") + " the feature cache and the "
                    + "learnability baseline " + (probed.baseline() == null ? "not computed" : "computed")
                    + "; no head was trained (a features-only job)"));
            return;
        }
        StratifiedSplit.Parts<ImageFolder.Item> sets = dataset.sets(request.hyperparameters());
        List<ImageFolder.Item> train = sets.train();
        LabelledFeatures trainFeatures = features.table().labelled(train);
        ModelEvaluation.EvaluatedSet validation = ModelEvaluation.EvaluatedSet.of(features.table(), sets.validation());
        ModelEvaluation.EvaluatedSet test = ModelEvaluation.EvaluatedSet.of(features.table(), sets.test());
        int skipped = features.table().skipped().size();
        if (trainFeatures.size() == 0) {
            throw new JobFailure("none of the " + train.size() + " training images could be decoded; first error: "
                    + features.table().skipped().get(0).path() + ": " + features.table().skipped().get(0).reason());
        }
        requireClassWeightsFit(request, dataset.classes(), trainFeatures.labels());

        TrainingOutcome outcome = new HeadTrainer(device).train(trainFeatures, validation.features(),
                dataset.classes(), request.hyperparameters(), resumeFrom, new TrainingHooks() {
                    @Override
                    public void beforeBatch() {
                        throwIfStopping(request);
                    }

                    @Override
                    public void onEpoch(EpochMetrics epoch, HeadCheckpoint checkpoint) {
                        metrics.epochCompleted(epoch);
                        // Event first, then checkpoint: a crash in between repeats this epoch under the same event
                        // id (dropped as a duplicate) instead of resuming past an epoch nobody was told about.
                        events.publish(TrainingEventType.EPOCH_COMPLETED, b -> b.metrics(epoch));
                        uploads.upload(checkpoint);
                    }
                });

        // The model is stored next, and then no checkpoint is needed: one still queued is not uploaded (it would be
        // deleted at once), while the upload under way goes on during the evaluation and the store.
        uploads.stopUploading();
        ModelEvaluation.Result judged = ModelEvaluation.of(request.jobId(), dataset.classes(), outcome, validation,
                test, device);
        ModelManifest manifest = new ModelManifest(Messages.SCHEMA_VERSION, request.jobId(), request.jobId(),
                request.tenant(), Instant.now(), dataset.classes(), request.backbone(), backbone.weightsSource(),
                backbone.sha256(), preprocessing, request.hyperparameters(), request.dataset(),
                trainFeatures.size(), validation.features().size(),
                outcome.bestEpoch(), outcome.epochs(),
                store.inDefaultBucket(StorageLayout.modelHeadWeights(request.tenant(), request.jobId())).toString(),
                test.features().size(), judged.scores());
        Map<String, String> artifacts = models.save(manifest, outcome.headWeights(), judged.report());
        // The deletion waits for the upload under way, so that nothing of the job lands in storage afterwards.
        uploads.abandon();
        checkpoints.delete(request);
        events.publish(TrainingEventType.COMPLETED, b -> b.model(manifest.modelId(), artifacts, outcome.bestEpoch())
                .scores(judged.scores())
                .message("trained on " + manifest.trainImages() + " images, validated on "
                        + manifest.validationImages() + ", tested on " + manifest.testImages()
                        + "; stored epoch " + outcome.bestEpoch() + " of " + outcome.epochs().size()
                        + (outcome.stoppedEarly() ? "; stopped early after epoch " + outcome.epochs().size() : "")
                        + (skipped > 0 ? "; skipped " + skipped + " unreadable images" : "")));
    }

    /** Explicit class weights must name exactly the dataset's classes; "balanced" needs images of each in training. */
    private static void requireClassWeightsFit(TrainingRequest request, List<String> classes, int[] trainLabels) {
        ClassWeights weights = request.hyperparameters().classWeights();
        if (weights == null) {
            return;
        }
        try {
            weights.resolve(classes, trainLabels);
        } catch (IllegalArgumentException e) {
            throw new JobFailure(e.getMessage());
        }
    }

    /** One run of a job on this worker: its started, resumed and released events carry the run's own id. */
    private record Events(TrainingRequest request, EventSink sink, String run) {
        Events(TrainingRequest request, EventSink sink) {
            this(request, sink, UUID.randomUUID().toString().substring(0, 8));
        }

        void publish(TrainingEventType type, UnaryOperator<TrainingEvent.Builder> details) {
            sink.publish(details.apply(TrainingEvent.builder(request.jobId(), request.tenant(), type).run(run))
                    .build());
        }
    }
}
