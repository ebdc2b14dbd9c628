package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InvalidFieldException;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.HeadTrainer;
import dev.transferlab.worker.ml.TrainingHooks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trains one trial of a sweep up to one rung, on whichever training worker took its {@link SweepTrialRequest}: the
 * trial resumes from its checkpoint at the rung before, and its outcome goes to the sweep's area ({@link SweepArea}),
 * where the worker running the sweep ranks it. A trial that has ended is announced (its trial-completed event) before
 * it is recorded, so a recorded trial has always been announced. The sweep's features are built once per worker and
 * kept for its next trials.
 */
public final class TrialSegments {
    private static final Logger LOG = Logger.getLogger(TrialSegments.class.getName());
    /** Sweeps whose inputs a worker keeps in memory: the features of 10,000 images are 40 MB. */
    private static final int KEPT_SWEEPS = 2;

    private final ObjectStore store;
    private final BackboneProvider backbones;
    private final ModelRepository models;
    private final Device device;
    private final Cancellations cancellations;
    private final Draining draining;
    private final FeatureSettings featureSettings;
    private final DatasetAccess datasets;
    private final String workerName;
    private final Map<String, SweepInputs> inputs = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SweepInputs> eldest) {
            return size() > KEPT_SWEEPS;
        }
    };

    public TrialSegments(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                         Cancellations cancellations, Draining draining, FeatureSettings featureSettings,
                         DatasetAccess datasets, String workerName) {
        this.store = store;
        this.backbones = backbones;
        this.models = models;
        this.device = device;
        this.cancellations = cancellations;
        this.draining = draining;
        this.featureSettings = featureSettings;
        this.datasets = datasets;
        this.workerName = workerName;
    }

    /** Refuses a command that names no trial of its sweep's plan: no worker running the sweep asked for it. */
    public static void check(SweepTrialRequest command) {
        int trials = SweepPlan.trials(command.sweep()).size();
        int rungs = SweepPlan.rungs(command.sweep()).size();
        if (command.trial() < 0 || command.trial() >= trials || command.rung() < 0 || command.rung() >= rungs) {
            throw new IllegalArgumentException("trial " + command.trial() + " at rung " + command.rung()
                    + " is not in the sweep's plan of " + trials + " trials and " + rungs + " rungs");
        }
    }

    /**
     * @return true when the command is done with: its outcome recorded, or its sweep over; false when this worker is
     * shutting down and another worker must take the command
     */
    public boolean run(SweepTrialRequest command, EventSink events) {
        SweepRequest sweep = command.sweep();
        SweepArea area = new SweepArea(store, sweep);
        int upTo = SweepPlan.rungs(sweep).get(command.rung());
        Runnable stop = () -> {
            cancellations.throwIfCancelled(sweep.tenant(), sweep.jobId());
            draining.throwIfDraining(sweep.jobId());
        };
        try {
            Optional<String> refusal = datasets.trainingRefusal(sweep.tenant(), sweep.dataset());
            if (refusal.isPresent()) {
                area.failed(command.trial(), upTo, "dataset refused: " + refusal.get());
                return true;
            }
            if (over(sweep)) {
                return true;
            }
            stop.run();
            train(command, area, inputs(sweep, stop), stop, events);
            if (over(sweep)) {
                // Ended while this trial trained: what it wrote would outlive the sweep's area.
                area.deleteAll();
            }
            return true;
        } catch (Cancellations.JobCancelled e) {
            area.deleteAll();
            return true;
        } catch (Draining.JobReleased e) {
            return false;
        } catch (JobFailure | InvalidFieldException e) {
            area.failed(command.trial(), upTo, e.getMessage());
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, sweep.jobId() + ": trial " + command.trial() + " failed unexpectedly", e);
            area.failed(command.trial(), upTo, "internal error in the trainer-worker: " + e);
            return true;
        }
    }

    /** Cancelled, or its model stored: no trial of it is needed any more. */
    private boolean over(SweepRequest sweep) {
        try {
            cancellations.throwIfCancelled(sweep.tenant(), sweep.jobId());
        } catch (Cancellations.JobCancelled e) {
            return true;
        }
        return models.manifest(sweep.tenant(), sweep.jobId()).isPresent();
    }

    private SweepInputs inputs(SweepRequest sweep, Runnable stop) {
        // One build per sweep on this worker, however many of its trials arrive at once.
        synchronized (inputs) {
            String key = sweep.tenant() + "/" + sweep.jobId();
            SweepInputs kept = inputs.get(key);
            if (kept != null) {
                return kept;
            }
            SweepInputs built = SweepInputs.of(store, featureSettings,
                    backbones.forTraining(sweep.backbone(), stop::run), sweep, progress -> { }, stop);
            inputs.put(key, built);
            return built;
        }
    }

    private void train(SweepTrialRequest command, SweepArea area, SweepInputs in, Runnable stop, EventSink events) {
        SweepRequest sweep = command.sweep();
        int t = command.trial();
        int r = command.rung();
        Hyperparameters hp = SweepPlan.trials(sweep).get(t);
        List<Integer> rungs = SweepPlan.rungs(sweep);
        int upTo = rungs.get(r);
        if (area.record(t, upTo).isPresent()) {
            return;
        }
        Optional<HeadCheckpoint> from = r == 0 ? Optional.empty() : area.checkpoint(t, rungs.get(r - 1));
        AtomicReference<HeadCheckpoint> last = new AtomicReference<>(from.orElse(null));
        try {
            new HeadTrainer(device).train(in.train(), in.validation().features(), in.classes(), hp, from,
                    new TrainingHooks() {
                        @Override
                        public void beforeBatch() {
                            stop.run();
                        }

                        @Override
                        public void onEpoch(EpochMetrics metrics, HeadCheckpoint checkpoint) {
                            last.set(checkpoint);
                            if (metrics.epoch() == upTo && upTo < hp.epochs()) {
                                throw new RungReached();
                            }
                        }
                    });
        } catch (RungReached e) {
            // Ranked against the others by the sweep's worker before it trains on.
        } catch (IllegalArgumentException e) {
            throw new JobFailure("trial " + t + " " + hp + " cannot train: " + e.getMessage());
        }
        HeadCheckpoint checkpoint = last.get();
        EpochMetrics bestEpoch = checkpoint.history().get(checkpoint.bestEpoch() - 1);
        SweepTrial trial = new SweepTrial(t, hp, checkpoint.epoch(), bestEpoch,
                sweep.metricOrDefault().score(bestEpoch), false, workerName);
        SweepArea.Segment segment = new SweepArea.Segment(trial, upTo,
                checkpoint.epoch() >= hp.epochs() || checkpoint.epoch() < upTo);
        if (segment.finished()) {
            events.publish(TrainingEvent.builder(sweep.jobId(), sweep.tenant(), TrainingEventType.TRIAL_COMPLETED)
                    .trial(trial).build());
        }
        area.checkpoint(t, checkpoint);
        area.record(segment);
        if (r > 0 && checkpoint.epoch() != rungs.get(r - 1)) {
            // Unless no epoch was left (early stopping ran out at the last rung): then that checkpoint is this one.
            area.delete(t, rungs.get(r - 1), "checkpoint");
        }
    }

    /** Stops a trial at its rung, with the rung's checkpoint taken. */
    private static final class RungReached extends RuntimeException {
        RungReached() {
            super(null, null, false, false);
        }
    }
}
