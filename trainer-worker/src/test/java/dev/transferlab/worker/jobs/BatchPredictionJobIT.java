package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.BatchPredictionLine;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.ml.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Batch prediction jobs against a real S3 server, with a model trained by a real training job. */
class BatchPredictionJobIT {
    private static final int PART_SIZE = 4;

    @TempDir
    static java.nio.file.Path data;
    static S3Fixture s3;
    static BackboneProvider backbones;
    static String trainedOn;

    @BeforeAll
    static void trainAModel() {
        s3 = new S3Fixture(data);
        backbones = new BackboneProvider(new BackboneWeightsStore(s3.store, data.resolve("weights-cache")),
                Device.cpu(), new BackboneSettings(Optional.empty(), Optional.empty(), true, 0, List.of()));
        trainedOn = s3.putDataset("datasets/default/pets/", 5);
        s3.putCorruptImages("datasets/default/pets/");
        TrainingJob.Outcome trained = new TrainingJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(),
                new Cancellations(), new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget()))
                .run(S3Fixture.request("model-a", trainedOn, new Hyperparameters(2, 8, 3e-3, 16, 0.25, 1, null)),
                        e -> {
                        });
        assertThat(trained).isEqualTo(TrainingJob.Outcome.COMPLETED);
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
    void overTheDatasetTheModelWasTrainedOnTheCachedFeaturesServeAndTheBackboneIsNeverLoaded() {
        // No backbone provider at all: any use of the backbone would fail the job.
        BatchPredictionJob job = job(null, new Cancellations(), new Draining());
        List<TrainingEvent> events = new ArrayList<>();

        TrainingJob.Outcome outcome = job.run(BatchPredictionRequest.of("batch-cached", "default", "model-a",
                trainedOn, null), events::add);

        assertThat(outcome).as("events: %s", events).isEqualTo(TrainingJob.Outcome.COMPLETED);
        TrainingEvent hit = events.stream().filter(e -> e.type() == TrainingEventType.FEATURE_CACHE_HIT).findFirst()
                .orElseThrow();
        assertThat(hit.message()).contains("the backbone does no work");
        assertThat(last(events).artifacts()).containsKeys("results.jsonl", "results.csv");
        assertThat(last(events).message()).isEqualTo("predicted 10 images; 2 could not be read or decoded (see the "
                + "error of their lines)");
        List<BatchPredictionLine> lines = results("batch-cached");
        assertThat(lines).hasSize(12).extracting(BatchPredictionLine::path).doesNotHaveDuplicates().isSorted();
        assertThat(lines.stream().filter(l -> l.error() != null)).extracting(BatchPredictionLine::path)
                .containsExactlyInAnyOrder("train/red/truncated.png", "train/blue/not-really.jpg");
        lines.stream().filter(l -> l.error() == null).forEach(line -> {
            assertThat(line.probabilities()).containsOnlyKeys("blue", "red");
            assertThat(line.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
                    .isCloseTo(1.0, within(1e-5));
            assertThat(line.label()).isIn("blue", "red");
        });
        String[] csv = text(StorageLayout.batchPredictionResults("default", "batch-cached", "csv")).split("\r\n");
        assertThat(csv[0]).isEqualTo("path,label,blue,red,error");
        assertThat(csv).hasSize(13);
        assertThat(Arrays.stream(csv).filter(row -> row.startsWith("train/blue/not-really.jpg,,,,")).count())
                .isEqualTo(1);
    }

    @Test
    void aJobStoppedMidwayIsResumedByAnotherWorkerThatWritesOnlyTheMissingPartsOfAFlatFolder() throws Exception {
        String flat = "datasets/default/flat/";
        for (int i = 0; i < 10; i++) {
            s3.store.put(s3.store.inDefaultBucket(flat + "img-" + i + ".png"), S3Fixture.png(i % 2 == 0 ? "red"
                    : "blue", 100 + i), "image/png");
        }
        BatchPredictionRequest request = BatchPredictionRequest.of("batch-resumed", "default", "model-a",
                "s3://" + S3Fixture.BUCKET + "/" + flat, null);
        Draining draining = new Draining();
        CompletableFuture<Optional<String>> drained = new CompletableFuture<>();
        List<TrainingEvent> before = new ArrayList<>();
        TrainingJob.Outcome first = job(backbones, new Cancellations(), draining).run(request, event -> {
            before.add(event);
            if (event.type() == TrainingEventType.EXTRACTION_PROGRESS && event.extraction().done() == PART_SIZE) {
                // SIGTERM after the first part: another thread drains while the job goes on to its next batch.
                Thread shutdown = new Thread(() -> {
                    try {
                        drained.complete(draining.drain(Duration.ofSeconds(30)));
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
        assertThat(first).isEqualTo(TrainingJob.Outcome.RELEASED);
        assertThat(drained.get(30, TimeUnit.SECONDS)).isEmpty();
        assertThat(last(before).type()).isEqualTo(TrainingEventType.RELEASED);
        ObjectLocation part0 = s3.store.inDefaultBucket(StorageLayout.batchPredictionPart("default",
                "batch-resumed", 0));
        assertThat(s3.store.exists(part0)).isTrue();
        assertThat(s3.store.exists(s3.store.inDefaultBucket(StorageLayout.batchPredictionPart("default",
                "batch-resumed", 1)))).as("stopped before the second part was written").isFalse();
        // Marks the lines of the written part: a resumed job that wrote them again would lose the mark.
        String marked = text(part0.key()).replace("{\"path\"", "{\"marked\":true,\"path\"");
        s3.store.put(part0, marked.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");

        List<TrainingEvent> after = new ArrayList<>();
        TrainingJob.Outcome second = job(backbones, new Cancellations(), new Draining()).run(request, after::add);

        assertThat(second).as("events: %s", after).isEqualTo(TrainingJob.Outcome.COMPLETED);
        assertThat(after.get(0).message()).contains("resuming: 1 of 3 parts");
        assertThat(after.stream().filter(e -> e.type() == TrainingEventType.EXTRACTION_PROGRESS))
                .extracting(e -> e.extraction().done()).containsExactly(8, 10);
        String jsonl = text(StorageLayout.batchPredictionResults("default", "batch-resumed", "jsonl"));
        List<String> lines = jsonl.lines().toList();
        assertThat(lines).hasSize(10);
        assertThat(lines.subList(0, PART_SIZE)).allSatisfy(l -> assertThat(l).startsWith("{\"marked\":true"));
        assertThat(lines.subList(PART_SIZE, 10)).noneSatisfy(l -> assertThat(l).contains("marked"));
        assertThat(lines.stream().map(l -> parse(l).path())).doesNotHaveDuplicates()
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 10).mapToObj(i -> "img-" + i + ".png")
                        .sorted().toList());

        assertThat(job(backbones, new Cancellations(), new Draining()).run(request, e -> {
        })).as("a replayed command of a finished job").isEqualTo(TrainingJob.Outcome.ALREADY_DONE);
    }

    @Test
    void aCancelledJobStopsAtABatchBoundaryAndLeavesNoResults() {
        Cancellations cancellations = new Cancellations();
        List<TrainingEvent> events = new ArrayList<>();
        TrainingJob.Outcome outcome = job(backbones, cancellations, new Draining()).run(BatchPredictionRequest.of(
                "batch-cancelled", "default", "model-a", "s3://" + S3Fixture.BUCKET + "/datasets/default/pets/train/",
                null), event -> {
                    events.add(event);
                    if (event.type() == TrainingEventType.EXTRACTION_PROGRESS) {
                        cancellations.cancel("default", "batch-cancelled");
                    }
                });

        assertThat(outcome).isEqualTo(TrainingJob.Outcome.CANCELLED);
        assertThat(events.stream().filter(e -> e.type() == TrainingEventType.EXTRACTION_PROGRESS)).hasSize(1);
        assertThat(last(events).type()).isEqualTo(TrainingEventType.CANCELLED);
        assertThat(s3.store.list(s3.store.inDefaultBucket(StorageLayout.batchPredictionPrefix("default",
                "batch-cancelled")))).isEmpty();
    }

    @Test
    void anotherTenantsModelOrAnInputOutsideTheTenantsAreasFailsTheJob() {
        List<TrainingEvent> events = new ArrayList<>();
        assertThat(job(backbones, new Cancellations(), new Draining()).run(BatchPredictionRequest.of("batch-other",
                "globex", "model-a", "datasets/globex/", null), events::add)).isEqualTo(TrainingJob.Outcome.FAILED);
        assertThat(last(events).reason()).contains("no model 'model-a' of tenant 'globex'");

        events.clear();
        assertThat(job(backbones, new Cancellations(), new Draining()).run(BatchPredictionRequest.of("batch-steal",
                "globex", "model-a", trainedOn, null), events::add)).isEqualTo(TrainingJob.Outcome.FAILED);
        assertThat(last(events).reason()).contains("input refused");
    }

    private static BatchPredictionJob job(BackboneProvider provider, Cancellations cancellations, Draining draining) {
        return new BatchPredictionJob(s3.store, provider, new ModelRepository(s3.store), Device.cpu(), cancellations,
                draining, new FeatureSettings(2, 2, Duration.ZERO, TestImages.budget()),
                DatasetAccess.ownDatasetsOnly(S3Fixture.BUCKET), PART_SIZE, "worker-a");
    }

    private static List<BatchPredictionLine> results(String jobId) {
        return text(StorageLayout.batchPredictionResults("default", jobId, "jsonl")).lines()
                .map(BatchPredictionJobIT::parse).toList();
    }

    private static BatchPredictionLine parse(String line) {
        try {
            return Messages.mapper().readValue(line, BatchPredictionLine.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }

    private static String text(String key) {
        return new String(s3.store.get(s3.store.inDefaultBucket(key)).orElseThrow(), StandardCharsets.UTF_8);
    }

    private static TrainingEvent last(List<TrainingEvent> events) {
        return events.get(events.size() - 1);
    }
}
