package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.worker.ml.HeadCheckpoint;
import dev.transferlab.worker.ml.HeadTrainer;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.TrainingOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A sweep's trials, run by the training workers: rung by rung (one rung, the base's epochs, unless the strategy is
 * successive halving), every trial still in the running is queued ({@link TrialQueue}) to train up to the rung, and
 * whichever worker takes it ({@link TrialSegments}) records it in the sweep's area; this waits for the rung's records,
 * then the weaker trials stop and the best {@code 1/η} go on. A trial recorded already, by an earlier run of the sweep
 * after its worker crashed, is not queued again. The best finished trial's last checkpoint is kept, to store it as the
 * sweep's model; the others' are deleted as they finish.
 */
final class SweepTrials {
    /** How often the sweep's area is listed while a rung's trials train: a listing is one request. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final SweepArea area;
    private final SweepRequest request;
    private final Device device;
    private final LabelledFeatures train;
    private final LabelledFeatures validation;
    private final int classes;
    private final TrialQueue queue;
    private final Runnable throwIfStopping;
    private final Consumer<SweepTrial> announce;
    private SweepTrial best;

    /** The sweep's best trial and what its training produced. */
    record Best(SweepTrial trial, TrainingOutcome outcome) {
    }

    /**
     * @param throwIfStopping called while the trials train: throws to cancel or release the sweep
     * @param announce        publishes a trial stopped by successive halving (a worker announces the trials it ends)
     */
    SweepTrials(SweepArea area, SweepRequest request, Device device, SweepInputs inputs, TrialQueue queue,
                Runnable throwIfStopping, Consumer<SweepTrial> announce) {
        this.area = area;
        this.request = request;
        this.device = device;
        this.train = inputs.train();
        this.validation = inputs.validation().features();
        this.classes = inputs.classes();
        this.queue = queue;
        this.throwIfStopping = throwIfStopping;
        this.announce = announce;
    }

    Best run(List<Hyperparameters> plan) {
        List<Integer> rungs = SweepPlan.rungs(request);
        List<Integer> running = new ArrayList<>();
        for (int t = 0; t < plan.size(); t++) {
            running.add(t);
        }
        for (int r = 0; r < rungs.size() && !running.isEmpty(); r++) {
            List<SweepArea.Segment> segments = rung(running, r, rungs.get(r));
            List<SweepArea.Segment> goingOn = segments.stream().filter(s -> !s.finished())
                    .sorted(Comparator.comparing((SweepArea.Segment s) -> s.trial().score(), ranking())
                            .thenComparingInt(s -> s.trial().trial()))
                    .toList();
            int survivors = goingOn.isEmpty() ? 0 : SweepPlan.survivors(request, goingOn.size());
            for (SweepArea.Segment pruned : goingOn.subList(survivors, goingOn.size())) {
                SweepTrial trial = pruned.trial();
                announce.accept(new SweepTrial(trial.trial(), trial.hyperparameters(), trial.epochsRun(),
                        trial.best(), trial.score(), true, trial.worker()));
                area.delete(trial.trial(), rungs.get(r), "checkpoint");
            }
            running = goingOn.subList(0, survivors).stream().map(s -> s.trial().trial()).toList();
        }
        if (best == null) {
            throw new JobFailure("no trial of the sweep finished");
        }
        return new Best(best, outcome(best, plan.get(best.trial())));
    }

    /** Queues the trials not yet recorded at rung {@code r} and waits until each one is. */
    private List<SweepArea.Segment> rung(List<Integer> trials, int r, int upTo) {
        Set<String> keys = area.keys();
        for (int t : trials) {
            if (!keys.contains(area.location(t, upTo, "json").key())) {
                queue.offer(SweepTrialRequest.of(request, t, r));
            }
        }
        Map<Integer, SweepArea.Segment> done = new HashMap<>();
        while (true) {
            for (int t : trials) {
                if (done.containsKey(t)) {
                    continue;
                }
                if (keys.contains(area.location(t, upTo, "failed").key())) {
                    throw new JobFailure(area.failure(t, upTo));
                }
                if (keys.contains(area.location(t, upTo, "json").key())) {
                    SweepArea.Segment segment = area.record(t, upTo).orElseThrow(() -> new JobFailure(
                            "the record of trial " + t + " is gone from storage"));
                    done.put(t, segment);
                    if (segment.finished()) {
                        finished(segment.trial());
                    }
                }
            }
            if (done.size() == trials.size()) {
                return trials.stream().map(done::get).toList();
            }
            throwIfStopping.run();
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the sweep's trials trained", e);
            }
            keys = area.keys();
        }
    }

    /** Lower is better for a loss, higher for an accuracy. */
    private Comparator<Double> ranking() {
        return (a, b) -> request.metricOrDefault().better(a, b) ? -1 : request.metricOrDefault().better(b, a) ? 1 : 0;
    }

    /**
     * A trial has ended, and its worker stored its last checkpoint: kept while it is the best (ties go to the lower
     * trial number, so the order the records arrive in does not matter), deleted otherwise.
     */
    private void finished(SweepTrial trial) {
        boolean better = best == null || request.metricOrDefault().better(trial.score(), best.score())
                || trial.score() == best.score() && trial.trial() < best.trial();
        SweepTrial dropped = better ? best : trial;
        if (better) {
            best = trial;
        }
        if (dropped != null) {
            area.delete(dropped.trial(), dropped.epochsRun(), "checkpoint");
        }
    }

    /** The best trial's outcome, rebuilt from its last checkpoint: a resumed run that has no epoch left to train. */
    private TrainingOutcome outcome(SweepTrial trial, Hyperparameters hp) {
        HeadCheckpoint checkpoint = area.checkpoint(trial.trial(), trial.epochsRun()).orElseThrow(() ->
                new JobFailure("the checkpoint of the best trial, " + trial.trial() + ", is gone from storage"));
        return new HeadTrainer(device).train(train, validation, classes, hp, Optional.of(checkpoint),
                (metrics, next) -> {
                    throw new IllegalStateException("the best trial trained again after epoch " + metrics.epoch());
                });
    }
}
