package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.HeadTrainer;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.TrainingHooks;
import dev.transferlab.worker.ml.TrainingOutcome;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A sweep's trials on its features, {@code parallelism} at a time, each one a {@link HeadTrainer} run. Rung by rung
 * (one rung, the base's epochs, unless the strategy is successive halving): every trial still in the running trains up
 * to the rung, resuming from its checkpoint at the previous one; then the weaker trials stop and the best
 * {@code 1/η} go on. A trial that has ended is announced (its trial-completed event) and then recorded in the sweep's
 * area of object storage, and so is every trial at a rung, with its checkpoint: a sweep run again after its worker
 * crashed trains nothing that was recorded. The best finished trial's last checkpoint is kept, to store it as the
 * sweep's model.
 * <p>
 * DJL lets one gradient collector record at a time in a process, so the trials take turns for their training batches
 * (each batch's forward and backward pass, already spread over the cores by PyTorch); the rest of their work, the
 * validation passes, checkpoints and storage, overlaps.
 */
final class SweepTrials {
    private final ObjectStore store;
    private final SweepRequest request;
    private final Device device;
    private final LabelledFeatures train;
    private final LabelledFeatures validation;
    private final int classes;
    private final int parallelism;
    private final Runnable throwIfStopping;
    private final Consumer<SweepTrial> announce;
    private final ReentrantLock batchTurn = new ReentrantLock(true);
    private SweepTrial best;

    /** A trial trained up to a rung; {@code finished}: it will train no more (last rung, or stopped early). */
    record Segment(SweepTrial trial, int rung, boolean finished) {
    }

    /** The sweep's best trial and what its training produced. */
    record Best(SweepTrial trial, TrainingOutcome outcome) {
    }

    /**
     * @param throwIfStopping called before every batch of every trial: throws to cancel or release the sweep
     * @param announce        publishes a trial's end; called one trial at a time
     */
    SweepTrials(ObjectStore store, SweepRequest request, Device device, LabelledFeatures train,
                LabelledFeatures validation, int classes, int parallelism, Runnable throwIfStopping,
                Consumer<SweepTrial> announce) {
        this.store = store;
        this.request = request;
        this.device = device;
        this.train = train;
        this.validation = validation;
        this.classes = classes;
        this.parallelism = parallelism;
        this.throwIfStopping = throwIfStopping;
        this.announce = announce;
    }

    /** How many trials were recorded by earlier runs of this sweep (0: it starts afresh). */
    static int recorded(ObjectStore store, SweepRequest request) {
        return store.list(store.inDefaultBucket(StorageLayout.sweepPrefix(request.tenant(), request.jobId())))
                .stream().filter(o -> o.key().endsWith(".json")).map(o -> o.key().substring(0, o.key()
                        .lastIndexOf('/'))).distinct().toList().size();
    }

    Best run(List<Hyperparameters> plan) {
        List<Integer> rungs = SweepPlan.rungs(request);
        List<Integer> running = new ArrayList<>();
        for (int t = 0; t < plan.size(); t++) {
            running.add(t);
        }
        for (int r = 0; r < rungs.size() && !running.isEmpty(); r++) {
            int rung = r;
            List<Segment> segments = inParallel(running, t -> segment(t, plan.get(t), rungs, rung));
            List<Segment> goingOn = segments.stream().filter(s -> !s.finished())
                    .sorted(Comparator.comparing((Segment s) -> s.trial().score(), ranking())
                            .thenComparingInt(s -> s.trial().trial()))
                    .toList();
            int survivors = goingOn.isEmpty() ? 0 : SweepPlan.survivors(request, goingOn.size());
            for (Segment pruned : goingOn.subList(survivors, goingOn.size())) {
                SweepTrial trial = pruned.trial();
                announce.accept(new SweepTrial(trial.trial(), trial.hyperparameters(), trial.epochsRun(),
                        trial.best(), trial.score(), true));
                store.delete(location(trial.trial(), rungs.get(rung), "checkpoint"));
            }
            running = goingOn.subList(0, survivors).stream().map(s -> s.trial().trial()).toList();
        }
        if (best == null) {
            throw new JobFailure("no trial of the sweep finished");
        }
        return new Best(best, outcome(best, plan.get(best.trial())));
    }

    /** Lower is better for a loss, higher for an accuracy. */
    private Comparator<Double> ranking() {
        return (a, b) -> request.metricOrDefault().better(a, b) ? -1 : request.metricOrDefault().better(b, a) ? 1 : 0;
    }

    private interface TrialWork {
        Segment run(int trial);
    }

    /** Runs each trial's work on the pool; the first failure (a cancellation, say) stops the others at a batch. */
    private List<Segment> inParallel(List<Integer> trials, TrialWork work) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, trials.size())),
                r -> new Thread(r, "sweep-trial"));
        try {
            List<Future<Segment>> futures = new ArrayList<>();
            for (int trial : trials) {
                futures.add(pool.submit(() -> {
                    if (failure.get() != null) {
                        return null;
                    }
                    try {
                        return work.run(trial);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        return null;
                    }
                }));
            }
            List<Segment> segments = new ArrayList<>();
            for (Future<Segment> future : futures) {
                segments.add(future.get());
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            return segments;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sweep's trials ran", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a trial failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Trial {@code t} up to rung {@code r}: read back when recorded, otherwise trained and recorded. */
    private Segment segment(int t, Hyperparameters hp, List<Integer> rungs, int r) {
        int upTo = rungs.get(r);
        Optional<Segment> recorded = read(t, upTo);
        if (recorded.isPresent()) {
            if (recorded.get().finished()) {
                finished(recorded.get().trial(), Optional.empty());
            }
            return recorded.get();
        }
        Optional<HeadCheckpoint> from = r == 0 ? Optional.empty() : checkpoint(t, rungs.get(r - 1));
        AtomicReference<HeadCheckpoint> last = new AtomicReference<>(from.orElse(null));
        try {
            new HeadTrainer(device).train(train, validation, classes, hp, from, new TrainingHooks() {
                @Override
                public void beforeBatch() {
                    endTurn();
                    throwIfStopping.run();
                    // Held until this trial's next batch or the end of its epoch: the batch records gradients.
                    batchTurn.lock();
                }

                @Override
                public void onEpoch(EpochMetrics metrics, HeadCheckpoint checkpoint) {
                    endTurn();
                    last.set(checkpoint);
                    if (metrics.epoch() == upTo && upTo < hp.epochs()) {
                        throw new RungReached();
                    }
                }
            });
        } catch (RungReached e) {
            // Ranked against the others before it trains on.
        } catch (IllegalArgumentException e) {
            throw new JobFailure("trial " + t + " " + hp + " cannot train: " + e.getMessage());
        } finally {
            endTurn();
        }
        HeadCheckpoint checkpoint = last.get();
        EpochMetrics bestEpoch = checkpoint.history().get(checkpoint.bestEpoch() - 1);
        SweepTrial trial = new SweepTrial(t, hp, checkpoint.epoch(), bestEpoch,
                request.metricOrDefault().score(bestEpoch), false);
        Segment segment = new Segment(trial, upTo, checkpoint.epoch() >= hp.epochs() || checkpoint.epoch() < upTo);
        if (segment.finished()) {
            finished(trial, Optional.of(checkpoint));
        } else {
            store.put(location(t, upTo, "checkpoint"), checkpoint.toBytes(), "application/octet-stream");
        }
        store.put(location(t, upTo, "json"), Messages.toJson(segment).getBytes(StandardCharsets.UTF_8),
                "application/json");
        if (r > 0 && checkpoint.epoch() != rungs.get(r - 1)) {
            // Unless no epoch was left (early stopping ran out at the last rung): then that checkpoint is this one.
            store.delete(location(t, rungs.get(r - 1), "checkpoint"));
        }
        return segment;
    }

    private void endTurn() {
        if (batchTurn.isHeldByCurrentThread()) {
            batchTurn.unlock();
        }
    }

    /**
     * A trial has ended: announced, and its checkpoint kept when it is the best so far (before its record is written,
     * so a recorded best always has one).
     */
    private synchronized void finished(SweepTrial trial, Optional<HeadCheckpoint> checkpoint) {
        boolean better = best == null || request.metricOrDefault().better(trial.score(), best.score())
                || trial.score() == best.score() && trial.trial() < best.trial();
        checkpoint.ifPresent(c -> announce.accept(trial));
        if (!better) {
            return;
        }
        checkpoint.ifPresent(c -> store.put(bestLocation(trial), c.toBytes(), "application/octet-stream"));
        SweepTrial previous = best;
        best = trial;
        if (previous != null && checkpoint.isPresent()) {
            store.delete(bestLocation(previous));
        }
    }

    /** Where a finished trial's last checkpoint is kept while it is the best. */
    private ObjectLocation bestLocation(SweepTrial trial) {
        return location(trial.trial(), trial.epochsRun(), "checkpoint");
    }

    /** The best trial's outcome, rebuilt from its last checkpoint: a resumed run that has no epoch left to train. */
    private TrainingOutcome outcome(SweepTrial trial, Hyperparameters hp) {
        HeadCheckpoint checkpoint = checkpoint(trial.trial(), trial.epochsRun()).orElseThrow(() -> new JobFailure(
                "the checkpoint of the best trial, " + trial.trial() + ", is gone from storage"));
        return new HeadTrainer(device).train(train, validation, classes, hp, Optional.of(checkpoint),
                (metrics, next) -> {
                    throw new IllegalStateException("the best trial trained again after epoch " + metrics.epoch());
                });
    }

    private Optional<Segment> read(int trial, int epochs) {
        return store.get(location(trial, epochs, "json")).map(json -> {
            try {
                return Messages.mapper().readValue(json, Segment.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable record of trial " + trial, e);
            }
        });
    }

    private Optional<HeadCheckpoint> checkpoint(int trial, int epochs) {
        return store.get(location(trial, epochs, "checkpoint")).flatMap(bytes -> {
            try {
                return Optional.of(HeadCheckpoint.fromBytes(bytes));
            } catch (WeightsFormatException e) {
                return Optional.empty();
            }
        });
    }

    private ObjectLocation location(int trial, int epochs, String kind) {
        return store.inDefaultBucket(StorageLayout.sweepTrial(request.tenant(), request.jobId(), trial, epochs, kind));
    }

    /** Stops a trial at its rung, with the rung's checkpoint taken. */
    private static final class RungReached extends RuntimeException {
        RungReached() {
            super(null, null, false, false);
        }
    }
}
