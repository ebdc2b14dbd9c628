package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InvalidFieldException;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.LabelledFeatures;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One hyperparameter sweep: the dataset's features once (from the cache when a job saw them before), then its trials
 * on them, trained by the training workers ({@link SweepTrials}), then the best trial by the validation metric stored
 * as a model with its evaluation report, exactly as a training job's model. It holds the worker's job slot like a
 * training job, stops for a cancellation or a shutdown while its trials train, and a run that takes over a sweep
 * queues no trial an earlier run recorded.
 */
public final class SweepJob {
    private static final Logger LOG = Logger.getLogger(SweepJob.class.getName());

    private final ObjectStore store;
    private final BackboneProvider backbones;
    private final ModelRepository models;
    private final Device device;
    private final Cancellations cancellations;
    private final Draining draining;
    private final FeatureSettings featureSettings;
    private final DatasetAccess datasets;
    private final TrialQueue queue;
    private final String workerName;

    /** @param queue where the sweep's trials go, for the training workers (this one included) to train them */
    public SweepJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                    Cancellations cancellations, Draining draining, FeatureSettings featureSettings,
                    DatasetAccess datasets, TrialQueue queue, String workerName) {
        this.store = store;
        this.backbones = backbones;
        this.models = models;
        this.device = device;
        this.cancellations = cancellations;
        this.draining = draining;
        this.featureSettings = featureSettings;
        this.datasets = datasets;
        this.queue = queue;
        this.workerName = workerName;
    }

    public TrainingJob.Outcome run(SweepRequest request, EventSink sink) {
        if (!draining.enter(request.jobId())) {
            return TrainingJob.Outcome.NOT_STARTED;
        }
        try {
            return runInSlot(request, new Events(request, sink, UUID.randomUUID().toString().substring(0, 8)));
        } finally {
            draining.exit();
        }
    }

    private TrainingJob.Outcome runInSlot(SweepRequest request, Events events) {
        Optional<String> refusal = datasets.trainingRefusal(request.tenant(), request.dataset())
                .map(reason -> "dataset refused: " + reason)
                .or(() -> datasets.weightsRefusal(request.tenant(), request.backbone().weights())
                        .map(reason -> "backbone weights refused: " + reason));
        if (refusal.isPresent()) {
            events.publish(TrainingEventType.FAILED, b -> b.reason(refusal.get() + "; a sweep reads only its "
                    + "tenant's own datasets and prefixes granted to it"));
            return TrainingJob.Outcome.FAILED;
        }
        if (models.manifest(request.tenant(), request.jobId()).isPresent()) {
            LOG.info(() -> request.jobId() + " already has its model; ignoring the replayed command");
            return TrainingJob.Outcome.ALREADY_DONE;
        }
        try {
            throwIfStopping(request);
            sweep(request, events);
            return TrainingJob.Outcome.COMPLETED;
        } catch (Cancellations.JobCancelled e) {
            new SweepArea(store, request).deleteAll();
            events.publish(TrainingEventType.CANCELLED, b -> b.message("cancelled; no model was stored"));
            return TrainingJob.Outcome.CANCELLED;
        } catch (Draining.JobReleased e) {
            try {
                events.publish(TrainingEventType.RELEASED, b -> b.epoch(0).message(workerName + " is shutting down "
                        + "and released the sweep; the next worker skips the trials already recorded"));
            } catch (RuntimeException notPublished) {
                // Released all the same: the command stays unacknowledged (see TrainingJob).
                LOG.log(Level.WARNING, request.jobId() + ": the released event could not be published", notPublished);
            }
            return TrainingJob.Outcome.RELEASED;
        } catch (InvalidFieldException e) {
            events.publish(TrainingEventType.FAILED, b -> b.reason("the sweep cannot run: " + e.getMessage()));
            return TrainingJob.Outcome.FAILED;
        } catch (JobFailure e) {
            events.publish(TrainingEventType.FAILED, b -> b.reason(e.getMessage()));
            return TrainingJob.Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, request.jobId() + " failed unexpectedly", e);
            events.publish(TrainingEventType.FAILED, b -> b.reason("internal error in the trainer-worker: " + e));
            return TrainingJob.Outcome.FAILED;
        }
    }

    private void throwIfStopping(SweepRequest request) {
        cancellations.throwIfCancelled(request.tenant(), request.jobId());
        draining.throwIfDraining(request.jobId());
    }

    private void sweep(SweepRequest request, Events events) {
        List<Hyperparameters> plan = SweepPlan.trials(request);
        SweepArea area = new SweepArea(store, request);
        int recorded = area.recordedTrials();
        if (recorded > 0) {
            events.publish(TrainingEventType.RESUMED, b -> b.epoch(0).message("resuming: " + recorded + " of "
                    + plan.size() + " trials were recorded by an earlier run; the others go to the training "
                    + "workers; run by " + workerName));
        } else {
            events.publish(TrainingEventType.STARTED, b -> b.message("sweeping: " + plan.size() + " trials, for "
                    + "the training workers to take; run by " + workerName));
        }
        LoadedBackbone backbone = backbones.forTraining(request.backbone(), () -> throwIfStopping(request));
        SweepInputs inputs = SweepInputs.of(store, featureSettings, backbone, request,
                extraction -> events.publish(TrainingEventType.EXTRACTION_PROGRESS, b -> b.extraction(extraction)),
                () -> throwIfStopping(request));
        if (inputs.features().fromCache()) {
            events.publish(TrainingEventType.FEATURE_CACHE_HIT, b -> b.extraction(inputs.features().summary())
                    .message("features of " + inputs.features().table().size() + " images read from the feature "
                            + "cache; the backbone does no work for this sweep"));
        }
        DatasetBaselines.Probed probed = new DatasetBaselines(store).of(request.tenant(), request.datasetId(),
                inputs.dataset(), inputs.features().table(), backbone.sha256(),
                request.preprocessingOrDefault().fingerprint());
        events.publish(TrainingEventType.LEARNABILITY_BASELINE, b -> b.baseline(probed.baseline())
                .message(probed.message()));
        SweepTrials trials = new SweepTrials(area, request, device, inputs, queue, () -> throwIfStopping(request),
                trial -> events.publish(TrainingEventType.TRIAL_COMPLETED, b -> b.trial(trial)));
        SweepTrials.Best best = trials.run(plan);
        store(request, backbone, inputs, best, plan.size(), events);
        area.deleteAll();
    }

    private void store(SweepRequest request, LoadedBackbone backbone, SweepInputs inputs, SweepTrials.Best best,
                       int trials, Events events) {
        SweepTrial trial = best.trial();
        ImageFolder dataset = inputs.dataset();
        LabelledFeatures train = inputs.train();
        ModelEvaluation.EvaluatedSet validation = inputs.validation();
        ModelEvaluation.EvaluatedSet test = inputs.test();
        ModelEvaluation.Result judged = ModelEvaluation.of(request.jobId(), dataset.classes(), best.outcome(),
                validation, test, device);
        ModelManifest manifest = new ModelManifest(Messages.SCHEMA_VERSION, request.jobId(), request.jobId(),
                request.tenant(), Instant.now(), dataset.classes(), request.backbone(), backbone.weightsSource(),
                backbone.sha256(), request.preprocessingOrDefault(), trial.hyperparameters(), request.dataset(),
                train.size(), validation.features().size(), best.outcome().bestEpoch(), best.outcome().epochs(),
                store.inDefaultBucket(StorageLayout.modelHeadWeights(request.tenant(), request.jobId())).toString(),
                test.features().size(), judged.scores());
        Map<String, String> artifacts = models.save(manifest, best.outcome().headWeights(), judged.report());
        events.publish(TrainingEventType.COMPLETED, b -> b.model(manifest.modelId(), artifacts,
                best.outcome().bestEpoch()).scores(judged.scores()).message("best of " + trials + " trials by "
                + request.metricOrDefault().wireName() + ": trial " + trial.trial() + " (" + trial.score() + ", "
                + trial.hyperparameters() + "), stored as model " + manifest.modelId()));
    }

    /** One run of the sweep on this worker: its started and released events carry the run's own id. */
    private record Events(SweepRequest request, EventSink sink, String run) {
        void publish(TrainingEventType type, UnaryOperator<TrainingEvent.Builder> details) {
            sink.publish(details.apply(TrainingEvent.builder(request.jobId(), request.tenant(), type).run(run))
                    .build());
        }
    }
}
