package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.HeadTrainer;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.TrainingOutcome;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One training job from command to stored model: list the dataset, compute the frozen backbone's features once,
 * train the head, store the model, and report every step as an event. Any failure ends the job with a failed event;
 * it never escapes to the caller, so the worker goes on with the next job.
 */
public final class TrainingJob {
    private static final Logger LOG = Logger.getLogger(TrainingJob.class.getName());

    private final ObjectStore store;
    private final BackboneProvider backbones;
    private final ModelRepository models;
    private final Device device;
    private final FeatureSettings featureSettings;

    public TrainingJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                       FeatureSettings featureSettings) {
        this.store = store;
        this.backbones = backbones;
        this.models = models;
        this.device = device;
        this.featureSettings = featureSettings;
    }

    /** How the job ended, for the caller's log and for tests. */
    public enum Outcome { COMPLETED, FAILED, ALREADY_DONE }

    public Outcome run(TrainingRequest request, EventSink sink) {
        if (models.manifest(request.tenant(), request.jobId()).isPresent()) {
            // A redelivered command of a finished job: its model and completed event exist already.
            LOG.info(() -> request.jobId() + " already has a model; ignoring the replayed command");
            return Outcome.ALREADY_DONE;
        }
        Events events = new Events(request, sink);
        try {
            train(request, events);
            return Outcome.COMPLETED;
        } catch (JobFailure e) {
            LOG.info(() -> request.jobId() + " failed: " + e.getMessage());
            events.publish(TrainingEventType.FAILED, b -> b.reason(e.getMessage()));
            return Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, request.jobId() + " failed unexpectedly", e);
            events.publish(TrainingEventType.FAILED, b -> b.reason("internal error in the trainer-worker: " + e));
            return Outcome.FAILED;
        }
    }

    private void train(TrainingRequest request, Events events) {
        LoadedBackbone backbone = backbones.forTraining(request.backbone());
        events.publish(TrainingEventType.STARTED, b -> b.message(backbone.isRandom()
                ? "extracting features; WARNING: the backbone has RANDOM weights (" + backbone.weightsSource()
                + "), not pretrained ones, so accuracy will be far below a real DenseNet121's"
                : "extracting features with backbone weights " + backbone.weightsSource()));

        ImageFolder dataset = new ImageFolderLister(store).list(request);
        PreprocessingSpec preprocessing = PreprocessingSpec.imagenet();
        DatasetFeatures.Result features = new DatasetFeatures(store, featureSettings).features(request.tenant(),
                dataset, backbone, preprocessing,
                progress -> events.publish(TrainingEventType.EXTRACTION_PROGRESS, b -> b.extraction(progress)));
        LOG.info(() -> request.jobId() + ": " + (features.fromCache() ? "features read from the cache "
                + features.cacheKey() + ", no images through the backbone" : features.table().size()
                + " images through the backbone, features cached at " + features.cacheKey()));
        if (features.fromCache()) {
            events.publish(TrainingEventType.FEATURE_CACHE_HIT, b -> b.extraction(features.summary())
                    .message("features of " + features.table().size() + " images read from the feature cache; the "
                            + "backbone does no work for this job"));
        }
        List<ImageFolder.Item> train = dataset.train();
        List<ImageFolder.Item> validation = dataset.validation();
        if (validation.isEmpty()) {
            StratifiedSplit.Parts<ImageFolder.Item> parts = StratifiedSplit.split(train, ImageFolder.Item::label,
                    request.hyperparameters().validationFraction(), request.hyperparameters().seed());
            train = parts.train();
            validation = parts.validation();
        }
        LabelledFeatures trainFeatures = features.table().labelled(train);
        LabelledFeatures validationFeatures = features.table().labelled(validation);
        int skipped = features.table().skipped().size();
        if (trainFeatures.size() == 0) {
            throw new JobFailure("none of the " + train.size() + " training images could be decoded; first error: "
                    + features.table().skipped().get(0).path() + ": " + features.table().skipped().get(0).reason());
        }

        TrainingOutcome outcome = new HeadTrainer(device).train(trainFeatures, validationFeatures,
                dataset.classes().size(), request.hyperparameters(),
                metrics -> events.publish(TrainingEventType.EPOCH_COMPLETED, b -> b.metrics(metrics)));

        ModelManifest manifest = new ModelManifest(Messages.SCHEMA_VERSION, request.jobId(), request.jobId(),
                request.tenant(), Instant.now(), dataset.classes(), request.backbone(), backbone.weightsSource(),
                backbone.sha256(), preprocessing, request.hyperparameters(), request.dataset(),
                trainFeatures.size(), validationFeatures.size(),
                outcome.bestEpoch(), outcome.epochs(),
                store.inDefaultBucket(dev.transferlab.common.storage.StorageLayout.modelHeadWeights(
                        request.tenant(), request.jobId())).toString());
        Map<String, String> artifacts = models.save(manifest, outcome.headWeights());
        events.publish(TrainingEventType.COMPLETED, b -> b.model(manifest.modelId(), artifacts, outcome.bestEpoch())
                .message("trained on " + manifest.trainImages() + " images, validated on "
                        + manifest.validationImages() + (skipped > 0 ? "; skipped " + skipped
                        + " unreadable images" : "")));
    }

    /** Numbers a job's events: the api-service's accepted event is 0, the worker's start at 1. */
    private static final class Events {
        private final TrainingRequest request;
        private final EventSink sink;
        private long sequence;

        Events(TrainingRequest request, EventSink sink) {
            this.request = request;
            this.sink = sink;
        }

        void publish(TrainingEventType type, java.util.function.UnaryOperator<TrainingEvent.Builder> details) {
            sink.publish(details.apply(TrainingEvent.builder(request.jobId(), request.tenant(), ++sequence, type))
                    .build());
        }
    }
}
