package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.SearchDimension;
import dev.transferlab.common.messages.SweepMetric;
import dev.transferlab.common.messages.SweepPlan;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepStrategy;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.ml.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Sweeps against a real S3 server, on a tiny DenseNet's features of a generated dataset. */
class SweepJobIT {
    @TempDir
    static java.nio.file.Path data;
    static S3Fixture s3;
    static BackboneProvider backbones;
    static String dataset;

    @BeforeAll
    static void start() {
        s3 = new S3Fixture(data);
        backbones = new BackboneProvider(new BackboneWeightsStore(s3.store, data.resolve("weights-cache")),
                Device.cpu(), new BackboneSettings(Optional.empty(), Optional.empty(), true, 0, List.of()));
        dataset = s3.putDataset("datasets/default/pets/", 8);
    }

    @AfterAll
    static void stop() {
        if (backbones != null) {
            backbones.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static SweepRequest sweep(String id, SweepStrategy strategy, int trials, int epochs,
                                      Map<String, SearchDimension> space) {
        return SweepRequest.of(id, "default", dataset, null, S3Fixture.TINY, PreprocessingSpec.imagenet(),
                new Hyperparameters(epochs, 8, 3e-3, 16, 0.25, 1, null), space, strategy, trials,
                SweepMetric.VALIDATION_ACCURACY);
    }

    private static Map<String, SearchDimension> space() {
        Map<String, SearchDimension> space = new LinkedHashMap<>();
        space.put("learningRate", SearchDimension.logRange(1e-4, 3e-2));
        space.put("hiddenUnits", SearchDimension.of(8, 32));
        return space;
    }

    /**
     * Runs the sweep as one worker would, its trial consumers {@code parallelism} threads here rather than Kafka's
     * (SweepChannelIT and the stack's SweepCrashIT and SweepAcrossWorkersIT take that path), and waits for them to
     * end before it returns, as a worker's shutdown does: nothing is left training when the test looks.
     */
    private static TrainingJob.Outcome run(SweepRequest request, Cancellations cancellations, Draining draining,
                                           int parallelism, EventSink sink) throws InterruptedException {
        FeatureSettings features = new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget());
        DatasetAccess access = DatasetAccess.ownDatasetsOnly(s3.store.defaultBucket());
        TrialSegments segments = new TrialSegments(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(),
                cancellations, draining, features, access, "test worker");
        ExecutorService consumers = Executors.newFixedThreadPool(parallelism);
        try {
            return new SweepJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(), cancellations,
                    draining, features, access, trial -> consumers.execute(() -> segments.run(trial, sink)),
                    "test worker").run(request, sink);
        } finally {
            consumers.shutdown();
            assertThat(consumers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static EventSink into(List<TrainingEvent> events) {
        return e -> {
            synchronized (events) {
                events.add(e);
            }
        };
    }

    private static List<SweepTrial> trials(List<TrainingEvent> events) {
        return events.stream().filter(e -> e.type() == TrainingEventType.TRIAL_COMPLETED).map(TrainingEvent::trial)
                .toList();
    }

    @Test
    void aRandomSweepTrainsEveryPlannedTrialInParallelAndStoresTheBestAsAModelWithItsEvaluation() throws Exception {
        SweepRequest request = sweep("sweep-random", SweepStrategy.random(5), 6, 3, space());
        List<TrainingEvent> events = new ArrayList<>();

        TrainingJob.Outcome outcome = run(request, new Cancellations(), new Draining(), 3, into(events));

        assertThat(outcome).as("events: %s", events).isEqualTo(TrainingJob.Outcome.COMPLETED);
        List<SweepTrial> trials = trials(events);
        List<Hyperparameters> plan = SweepPlan.trials(request);
        assertThat(trials).extracting(SweepTrial::trial).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(trials).allSatisfy(t -> {
            assertThat(t.hyperparameters()).isEqualTo(plan.get(t.trial()));
            assertThat(t.epochsRun()).isEqualTo(3);
            assertThat(t.score()).isEqualTo(t.best().validationAccuracy());
            assertThat(t.pruned()).isFalse();
            assertThat(t.worker()).as("who trained it").isEqualTo("test worker");
        });
        SweepTrial best = trials.stream().max(Comparator.comparingDouble(SweepTrial::score)
                .thenComparing(t -> -t.trial())).orElseThrow();
        TrainingEvent completed = events.get(events.size() - 1);
        assertThat(completed.type()).isEqualTo(TrainingEventType.COMPLETED);
        assertThat(completed.modelId()).isEqualTo("sweep-random");
        assertThat(completed.message()).contains("best of 6 trials by validation-accuracy: trial " + best.trial());
        assertThat(completed.artifacts()).containsKeys("manifest", "headWeights", "evaluation");
        ModelManifest manifest = new ModelRepository(s3.store).manifest("default", "sweep-random").orElseThrow();
        assertThat(manifest.hyperparameters()).isEqualTo(best.hyperparameters());
        assertThat(manifest.scores().best().validationAccuracy()).isEqualTo(best.score());
        assertThat(s3.store.list(s3.store.inDefaultBucket(StorageLayout.sweepPrefix("default", "sweep-random"))))
                .as("the sweep's trial records and checkpoints are gone once its model is stored").isEmpty();

        List<TrainingEvent> replay = new ArrayList<>();
        assertThat(run(request, new Cancellations(), new Draining(), 3, into(replay)))
                .isEqualTo(TrainingJob.Outcome.ALREADY_DONE);
        assertThat(replay).isEmpty();
    }

    @Test
    void aSweepReleasedMidwayIsResumedByAnotherWorkerThatRerunsNoRecordedTrial() throws Exception {
        SweepRequest request = sweep("sweep-resumed", SweepStrategy.random(9), 5, 2, space());
        Draining draining = new Draining();
        CompletableFuture<Optional<String>> drained = new CompletableFuture<>();
        List<TrainingEvent> before = new ArrayList<>();
        TrainingJob.Outcome first = run(request, new Cancellations(), draining, 1, event -> {
            synchronized (before) {
                before.add(event);
            }
            if (event.type() == TrainingEventType.TRIAL_COMPLETED && trials(before).size() == 2) {
                // SIGTERM after the second trial: another thread drains while the sweep goes on to its next batch.
                Thread shutdown = new Thread(() -> {
                    try {
                        drained.complete(draining.drain(Duration.ofSeconds(60)));
                    } catch (InterruptedException e) {
                        drained.completeExceptionally(e);
                    }
                });
                shutdown.start();
                while (!draining.isDraining()) {
                    Thread.onSpinWait();
                }
            }
        });
        assertThat(first).as("events: %s", before).isEqualTo(TrainingJob.Outcome.RELEASED);
        assertThat(drained.get(60, TimeUnit.SECONDS)).isEmpty();
        assertThat(before.get(before.size() - 1).type()).isEqualTo(TrainingEventType.RELEASED);

        List<TrainingEvent> after = new ArrayList<>();
        TrainingJob.Outcome second = run(request, new Cancellations(), new Draining(), 2, into(after));

        assertThat(second).as("events: %s", after).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(after).filteredOn(e -> e.type() == TrainingEventType.RESUMED).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("2 of 5 trials were recorded"));
        List<Integer> firstRun = trials(before).stream().map(SweepTrial::trial).toList();
        List<Integer> secondRun = trials(after).stream().map(SweepTrial::trial).toList();
        assertThat(firstRun).hasSize(2);
        assertThat(secondRun).as("no recorded trial is trained again").doesNotContainAnyElementsOf(firstRun)
                .hasSize(3);
        List<SweepTrial> all = new ArrayList<>(trials(before));
        all.addAll(trials(after));
        SweepTrial best = all.stream().max(Comparator.comparingDouble(SweepTrial::score)
                .thenComparing(t -> -t.trial())).orElseThrow();
        assertThat(new ModelRepository(s3.store).manifest("default", "sweep-resumed").orElseThrow()
                .hyperparameters()).isEqualTo(best.hyperparameters());
    }

    @Test
    void successiveHalvingStopsTheWeakerTrialsAtEachRungAndResumesTheBestFromTheirCheckpoints() throws Exception {
        SweepRequest request = sweep("sweep-halving", SweepStrategy.successiveHalving(3, 1, 3), 9, 3, space());
        List<TrainingEvent> events = new ArrayList<>();

        TrainingJob.Outcome outcome = run(request, new Cancellations(), new Draining(), 2, into(events));

        assertThat(outcome).as("events: %s", events).isEqualTo(TrainingJob.Outcome.COMPLETED);
        List<SweepTrial> trials = trials(events);
        assertThat(trials).extracting(SweepTrial::trial).doesNotHaveDuplicates().hasSize(9);
        List<SweepTrial> pruned = trials.stream().filter(SweepTrial::pruned).toList();
        List<SweepTrial> promoted = trials.stream().filter(t -> !t.pruned()).toList();
        assertThat(pruned).hasSize(6).allMatch(t -> t.epochsRun() == 1);
        assertThat(promoted).hasSize(3).allMatch(t -> t.epochsRun() == 3 && t.best().epochs() == 3);
        ModelManifest manifest = new ModelRepository(s3.store).manifest("default", "sweep-halving").orElseThrow();
        assertThat(manifest.metrics()).hasSize(3);
        assertThat(promoted).extracting(SweepTrial::hyperparameters).contains(manifest.hyperparameters());
    }

    @Test
    void aCancelledSweepStoresNoModelAndLeavesNothingInItsArea() throws Exception {
        SweepRequest request = sweep("sweep-cancelled", SweepStrategy.random(1), 4, 2, space());
        Cancellations cancellations = new Cancellations();
        List<TrainingEvent> events = new ArrayList<>();

        TrainingJob.Outcome outcome = run(request, cancellations, new Draining(), 1, event -> {
            synchronized (events) {
                events.add(event);
            }
            if (event.type() == TrainingEventType.TRIAL_COMPLETED) {
                cancellations.cancel("default", "sweep-cancelled");
            }
        });

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.CANCELLED);
        assertThat(trials(events)).hasSize(1);
        assertThat(new ModelRepository(s3.store).manifest("default", "sweep-cancelled")).isEmpty();
        assertThat(s3.store.list(s3.store.inDefaultBucket(StorageLayout.sweepPrefix("default", "sweep-cancelled"))))
                .isEmpty();
    }

    @Test
    void aTrialOutsideTheHyperparametersRangesFailsTheSweepNamingTheField() throws Exception {
        Map<String, SearchDimension> space = Map.of("learningRate", SearchDimension.of(1e-3, 50.0));
        List<TrainingEvent> events = new ArrayList<>();

        TrainingJob.Outcome outcome = run(sweep("sweep-bad", SweepStrategy.grid(), 4, 2, space),
                new Cancellations(), new Draining(), 1, into(events));

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.FAILED);
        assertThat(events).singleElement().satisfies(e -> assertThat(e.reason())
                .contains("space.learningRate", "trial 1", "must be above 0 and at most 10.0, got 50.0"));
    }
}
