package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.ModelScores;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.TestImages;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole jobs, from command to stored model, against a real S3 server; the events are what the job publishes. */
class TrainingJobIT {
    @TempDir
    static Path data;
    static S3Fixture s3;
    static BackboneProvider backbones;
    static TrainingJob job;

    @BeforeAll
    static void start() {
        s3 = new S3Fixture(data);
        backbones = new BackboneProvider(new BackboneWeightsStore(s3.store, data.resolve("weights-cache")),
                Device.cpu(), new BackboneSettings(Optional.empty(), Optional.empty(), true, 0,
                List.of()));
        job = new TrainingJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(), new Cancellations(),
                new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget()));
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

    @Test
    void corruptImagesAreSkippedAndReportedAndASecondJobTrainsFromTheCache() {
        String dataset = s3.putDataset("datasets/default/corrupt/", 8);
        s3.putCorruptImages("datasets/default/corrupt/");

        List<TrainingEvent> first = Collections.synchronizedList(new ArrayList<>());
        TrainingJob.Outcome outcome = job.run(S3Fixture.request("job-a", dataset,
                new Hyperparameters(3, 8, 3e-3, 32, 0.25, 1, null)), first::add);

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(types(first)).contains(TrainingEventType.EXTRACTION_PROGRESS)
                .doesNotContain(TrainingEventType.FEATURE_CACHE_HIT).endsWith(TrainingEventType.COMPLETED);
        TrainingEvent extracted = first.stream().filter(e -> e.type() == TrainingEventType.EXTRACTION_PROGRESS)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(extracted.extraction().done()).isEqualTo(18);
        assertThat(extracted.extraction().skipped()).isEqualTo(2);
        assertThat(extracted.extraction().skippedFiles()).hasSize(2);
        assertThat(last(first).message()).contains("skipped 2 unreadable images");
        assertThat(first).extracting(TrainingEvent::eventId).doesNotHaveDuplicates();

        List<TrainingEvent> second = Collections.synchronizedList(new ArrayList<>());
        assertThat(job.run(S3Fixture.request("job-b", dataset, new Hyperparameters(2, 4, 1e-3, 16, 0.5, 9, null)),
                second::add)).isEqualTo(TrainingJob.Outcome.COMPLETED);

        assertThat(types(second)).contains(TrainingEventType.FEATURE_CACHE_HIT)
                .doesNotContain(TrainingEventType.EXTRACTION_PROGRESS).endsWith(TrainingEventType.COMPLETED);
        TrainingEvent hit = second.stream().filter(e -> e.type() == TrainingEventType.FEATURE_CACHE_HIT)
                .findFirst().orElseThrow();
        assertThat(hit.extraction().skipped()).isEqualTo(2);
        assertThat(hit.extraction().cacheKey()).contains("/features/default/");
        assertThat(hit.message()).contains("the backbone does no work");
        assertThat(last(second).message()).contains("skipped 2 unreadable images");
    }

    @Test
    void aWorkerThatShutsDownReleasesItsJobAtABatchBoundaryAndAnotherResumesItFromTheCheckpoint() throws Exception {
        String dataset = s3.putDataset("datasets/default/released/", 8);
        TrainingRequest request = S3Fixture.request("job-released", dataset,
                new Hyperparameters(8, 2, 3e-3, 16, 0.25, 1, null));
        Draining draining = new Draining();
        CompletableFuture<Optional<String>> drained = new CompletableFuture<>();
        List<Integer> epochsTimed = new ArrayList<>();
        JobMetrics metrics = new JobMetrics() {
            @Override
            public void epochCompleted(EpochMetrics epoch) {
                epochsTimed.add(epoch.epoch());
                if (epoch.epoch() == 3) {
                    // SIGTERM right after epoch 3, on the training thread, before its checkpoint's upload (which
                    // runs in the background): another thread drains and waits for the job to let go.
                    Thread shutdown = new Thread(() -> {
                        try {
                            drained.complete(draining.drain(Duration.ofSeconds(30)));
                        } catch (InterruptedException e) {
                            drained.completeExceptionally(e);
                        }
                    });
                    shutdown.start();
                    await(draining::isDraining);
                }
            }
        };
        TrainingJob first = new TrainingJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(),
                new Cancellations(), draining, new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget()),
                DatasetAccess.ownDatasetsOnly(S3Fixture.BUCKET), metrics, "worker-a");
        List<TrainingEvent> before = Collections.synchronizedList(new ArrayList<>());
        TrainingJob.Outcome outcome = first.run(request, before::add);

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.RELEASED);
        assertThat(outcome.settled()).as("the command must be left for the next worker").isFalse();
        assertThat(drained.get(30, TimeUnit.SECONDS)).as("the drain saw the job stop").isEmpty();
        TrainingEvent released = last(before);
        assertThat(released.type()).isEqualTo(TrainingEventType.RELEASED);
        assertThat(released.eventId()).startsWith("job-released:released:3:");
        assertThat(released.message()).contains("worker-a", "after epoch 3");
        assertThat(before).extracting(TrainingEvent::eventId).as("the release waited for epoch 3's upload")
                .contains("job-released:checkpointed:3");
        assertThat(types(before)).doesNotContain(TrainingEventType.CANCELLED, TrainingEventType.FAILED);
        assertThat(s3.store.exists(s3.store.inDefaultBucket(StorageLayout.checkpoint("default", "job-released"))))
                .as("the checkpoint is kept").isTrue();
        assertThat(epochsTimed).containsExactly(1, 2, 3);

        List<TrainingEvent> none = Collections.synchronizedList(new ArrayList<>());
        assertThat(first.run(request, none::add)).as("a draining worker starts nothing")
                .isEqualTo(TrainingJob.Outcome.NOT_STARTED);
        assertThat(none).isEmpty();

        List<TrainingEvent> after = Collections.synchronizedList(new ArrayList<>());
        assertThat(job.run(request, after::add)).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(after.get(0).eventId()).startsWith("job-released:resumed:3:")
                .as("another run than the released one").doesNotEndWith(released.eventId().substring(
                        released.eventId().lastIndexOf(':')));
        assertThat(after.stream().filter(e -> e.type() == TrainingEventType.EPOCH_COMPLETED)
                .map(e -> e.metrics().epoch()).toList()).containsExactly(4, 5, 6, 7, 8);
    }

    @Test
    void epochsGoOnWhileACheckpointUploadsAndTheJobCompletesOnlyOnceItIsStored() {
        String dataset = s3.putDataset("datasets/default/background/", 4);
        ObjectLocation model = s3.store.inDefaultBucket(StorageLayout.modelManifest("default", "job-background"));
        List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean storedMeanwhile = new AtomicBoolean();
        AtomicBoolean holding = new AtomicBoolean();

        TrainingJob.Outcome outcome = job.run(S3Fixture.request("job-background", dataset,
                new Hyperparameters(5, 2, 3e-3, 16, 0.25, 1, null)), event -> {
                    events.add(event);
                    if (event.type() == TrainingEventType.EPOCH_COMPLETED && event.metrics().epoch() == 2) {
                        // On the training thread, before epoch 2's checkpoint is handed over: epoch 1's is the only
                        // one the upload thread can have taken, however slowly that thread started.
                        await(holding::get);
                    }
                    if (event.type() == TrainingEventType.CHECKPOINTED && event.epoch() == 1) {
                        // The checkpoints' thread is held here, after epoch 1's upload: the job must train its other
                        // epochs, announce each, and store its model meanwhile, but not complete.
                        holding.set(true);
                        storedMeanwhile.set(eventually(() -> s3.store.exists(model)));
                    }
                });

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(storedMeanwhile).as("epochs 3 to 5 trained and the model was stored during the first upload")
                .isTrue();
        List<String> ids = events.stream().map(TrainingEvent::eventId).toList();
        assertThat(ids).filteredOn(id -> id.contains(":epoch-completed:")).containsExactly(
                "job-background:epoch-completed:1", "job-background:epoch-completed:2",
                "job-background:epoch-completed:3", "job-background:epoch-completed:4",
                "job-background:epoch-completed:5");
        assertThat(ids).as("epochs 2 to 5's checkpoints were replaced while epoch 1's was held, then not stored: "
                + "the model was").filteredOn(id -> id.contains(":checkpointed:"))
                .containsExactly("job-background:checkpointed:1");
        assertThat(ids).endsWith("job-background:completed");
        assertThat(s3.store.exists(s3.store.inDefaultBucket(StorageLayout.checkpoint("default", "job-background"))))
                .as("deleted after the last upload, not before it").isFalse();
    }

    @Test
    void aJobCancelledWhileItsBackboneIsBuiltEndsCancelledThereAndTheNextJobRuns() {
        String dataset = s3.putDataset("datasets/default/cancel-build/", 4);
        // torchvision's DenseNet161 knobs: 28 million parameters, many seconds to build and fill with random weights.
        BackboneSpec large = new BackboneSpec("densenet", 48, List.of(6, 12, 36, 24), 96, 4);
        Cancellations cancellations = new Cancellations();
        TrainingJob worker = new TrainingJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(),
                cancellations, new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget()));
        // The job logs that it loads its backbone just before building begins: the cancel arrives right then.
        Handler cancelOnLoad = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (String.valueOf(record.getMessage()).startsWith("job-large: loading backbone")) {
                    cancellations.cancel("default", "job-large");
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(TrainingJob.class.getName());
        log.addHandler(cancelOnLoad);
        List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());
        TrainingJob.Outcome outcome;
        try {
            outcome = worker.run(TrainingRequest.of("job-large", "default", dataset, large,
                    new Hyperparameters(2, 4, 1e-3, 16, 0.25, 1, null)), events::add);
        } finally {
            log.removeHandler(cancelOnLoad);
        }

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.CANCELLED);
        assertThat(types(events)).as("stopped inside the build: 'started' follows a built backbone")
                .containsExactly(TrainingEventType.CANCELLED);
        assertThat(last(events).message()).contains("no model");

        List<TrainingEvent> next = Collections.synchronizedList(new ArrayList<>());
        assertThat(worker.run(S3Fixture.request("job-after-large", dataset,
                new Hyperparameters(2, 4, 1e-3, 16, 0.25, 1, null)), next::add))
                .isEqualTo(TrainingJob.Outcome.COMPLETED);
    }

    @Test
    void theStoredModelIsJudgedOnlyThenOnATestFolderThatSelectionNeverSaw() throws Exception {
        String dataset = s3.putDataset("datasets/default/judged/", 10);
        for (String label : List.of("blue", "red")) {
            for (int i = 0; i < 4; i++) {
                s3.store.put(s3.store.inDefaultBucket("datasets/default/judged/test/" + label + "/" + i + ".png"),
                        S3Fixture.png(label, 100 + i), "image/png");
            }
        }
        List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());

        assertThat(job.run(S3Fixture.request("job-judged", dataset, new Hyperparameters(4, 8, 3e-3, 32, 0.2, 5,
                null)), events::add)).isEqualTo(TrainingJob.Outcome.COMPLETED);

        TrainingEvent completed = last(events);
        ModelManifest manifest = new ModelRepository(s3.store).manifest("default", "job-judged").orElseThrow();
        EvaluationReport report = Messages.mapper().readValue(s3.store.get(s3.store.inDefaultBucket(
                StorageLayout.modelEvaluation("default", "job-judged"))).orElseThrow(), EvaluationReport.class);
        // test/ is the test set; validation is held out of train/, two of each class.
        assertThat(manifest.testImages()).isEqualTo(8);
        assertThat(manifest.validationImages()).isEqualTo(4);
        assertThat(manifest.trainImages()).isEqualTo(16);
        assertThat(completed.artifacts()).containsEntry("evaluation", s3.store.inDefaultBucket(
                StorageLayout.modelEvaluation("default", "job-judged")).toString());
        assertThat(report.epoch()).isEqualTo(manifest.bestEpoch()).isEqualTo(completed.bestEpoch());
        assertThat(report.classes()).containsExactly("blue", "red");
        assertThat(report.test().images()).isEqualTo(8);
        assertThat(report.test().confusionMatrix().stream().flatMap(List::stream).mapToInt(Integer::intValue).sum())
                .isEqualTo(8);
        assertThat(report.test().misclassified()).allMatch(m -> m.path().startsWith("test/"));
        assertThat(report.validation().images()).isEqualTo(4);
        assertThat(report.validation().misclassified()).allMatch(m -> m.path().startsWith("train/"));
        // The scores name the stored epoch, whose validation figures are its epoch's and test figures the report's.
        ModelScores scores = completed.scores();
        assertThat(manifest.scores()).isEqualTo(scores);
        EpochMetrics best = manifest.metrics().get(manifest.bestEpoch() - 1);
        assertThat(scores.best().epoch()).isEqualTo(manifest.bestEpoch());
        assertThat(scores.best().validationLoss()).isEqualTo(best.validationLoss());
        assertThat(scores.best().validationAccuracy()).isEqualTo(best.validationAccuracy())
                .isEqualTo(report.validation().accuracy());
        assertThat(scores.best().testImages()).isEqualTo(8);
        assertThat(scores.best().testAccuracy()).isEqualTo(report.test().accuracy());
        assertThat(scores.best().testLoss()).isEqualTo(report.test().logLoss());
        assertThat(scores.last().epoch()).isEqualTo(4);
        assertThat(scores.last().validationAccuracy()).isEqualTo(manifest.metrics().get(3).validationAccuracy());
        assertThat(scores.last().testAccuracy()).isNotNull();
        assertThat(completed.message()).contains("tested on 8", "stored epoch " + manifest.bestEpoch() + " of 4");
    }

    @Test
    void aJobWithEveryOptionTrainsAndItsModelRecordsThem() {
        String dataset = s3.putDataset("datasets/default/options/", 8);
        Hyperparameters hp = options(ClassWeights.of(Map.of("blue", 1.0, "red", 2.0)));
        List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());

        assertThat(job.run(S3Fixture.request("job-options", dataset, hp), events::add))
                .isEqualTo(TrainingJob.Outcome.COMPLETED);

        ModelManifest manifest = new ModelRepository(s3.store).manifest("default", "job-options").orElseThrow();
        assertThat(manifest.hyperparameters()).isEqualTo(hp);
        // One warmup epoch at half the rate, then cosine annealing over the other three.
        assertThat(events.stream().filter(e -> e.type() == TrainingEventType.EPOCH_COMPLETED)
                .map(e -> e.metrics().learningRate()).toList())
                .containsExactlyElementsOf(manifest.metrics().stream().map(EpochMetrics::learningRate).toList())
                .containsExactly(1.5e-3, 3e-3, 3e-3 * ((1 + Math.cos(Math.PI * 1 / 3)) / 2),
                        3e-3 * ((1 + Math.cos(Math.PI * 2 / 3)) / 2));
    }

    @Test
    void aFeaturesOnlyJobCachesTheFeaturesAndComputesTheBaselineWithoutTrainingAndTheNextJobHitsTheCache() {
        // Seven a class: no other test's images, so nothing of them is in the feature cache yet.
        String dataset = s3.putDataset("datasets/default/prepared/", 7);
        List<TrainingEvent> prepared = Collections.synchronizedList(new ArrayList<>());

        assertThat(job.run(S3Fixture.request("job-prepare", dataset, new Hyperparameters(3, 8, 3e-3, 32, 0.25, 1,
                null)).asFeaturesOnly(), prepared::add)).isEqualTo(TrainingJob.Outcome.COMPLETED);

        assertThat(types(prepared)).contains(TrainingEventType.EXTRACTION_PROGRESS)
                .doesNotContain(TrainingEventType.EPOCH_COMPLETED, TrainingEventType.CHECKPOINTED)
                .endsWith(TrainingEventType.LEARNABILITY_BASELINE, TrainingEventType.COMPLETED);
        TrainingEvent baseline = prepared.get(prepared.size() - 2);
        assertThat(baseline.baseline()).isNotNull();
        assertThat(baseline.baseline().images()).isEqualTo(14);
        assertThat(last(prepared).modelId()).isNull();
        assertThat(last(prepared).message()).contains("14 images written to the feature cache",
                "baseline computed", "no head was trained");
        assertThat(new ModelRepository(s3.store).manifest("default", "job-prepare")).isEmpty();

        List<TrainingEvent> trained = Collections.synchronizedList(new ArrayList<>());
        assertThat(job.run(S3Fixture.request("job-after-prepare", dataset, new Hyperparameters(2, 8, 3e-3, 32, 0.25,
                1, null)), trained::add)).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(types(trained)).contains(TrainingEventType.FEATURE_CACHE_HIT, TrainingEventType.EPOCH_COMPLETED)
                .doesNotContain(TrainingEventType.EXTRACTION_PROGRESS);
        assertThat(last(trained).modelId()).isEqualTo("job-after-prepare");
    }

    @Test
    void classWeightsThatDoNotNameTheDatasetsClassesFailTheJobBeforeAnyExtraction() {
        String dataset = s3.putDataset("datasets/default/misspelt/", 4);
        List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());

        assertThat(job.run(S3Fixture.request("job-misspelt", dataset,
                options(ClassWeights.of(Map.of("blue", 1.0, "rde", 2.0)))), events::add))
                .isEqualTo(TrainingJob.Outcome.FAILED);

        TrainingEvent failed = events.get(events.size() - 1);
        assertThat(failed.type()).isEqualTo(TrainingEventType.FAILED);
        assertThat(failed.reason()).isEqualTo("classWeights must give a weight to each of the dataset's classes"
                + " [blue, red] and to no other; not classes of the dataset: [rde]; without a weight: [red]");
        assertThat(events).extracting(TrainingEvent::type).doesNotContain(TrainingEventType.EXTRACTION_PROGRESS);
    }

    private static Hyperparameters options(ClassWeights classWeights) {
        return new Hyperparameters(4, 8, 3e-3, 32, 0.25, 1, null, null, classWeights, 0.01, 0.2, 0.1,
                Hyperparameters.COSINE, null, null, 1);
    }

    /** Whether the condition became true within a minute. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) {
        for (int i = 0; i < 6000 && !condition.getAsBoolean(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return condition.getAsBoolean();
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        assertThat(eventually(condition)).isTrue();
    }

    private static List<TrainingEventType> types(List<TrainingEvent> events) {
        return events.stream().map(TrainingEvent::type).toList();
    }

    private static TrainingEvent last(List<TrainingEvent> events) {
        return events.get(events.size() - 1);
    }
}
