package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.ml.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs with head options, against a real S3 server: the model records them, and bad class weights fail the job. */
class HeadOptionsJobIT {
    @TempDir
    static Path data;
    static S3Fixture s3;
    static BackboneProvider backbones;
    static TrainingJob job;

    @BeforeAll
    static void start() {
        s3 = new S3Fixture(data);
        backbones = new BackboneProvider(new BackboneWeightsStore(s3.store, data.resolve("weights-cache")),
                Device.cpu(), new BackboneSettings(Optional.empty(), Optional.empty(), true, 0, List.of()));
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
    void aJobWithEveryOptionTrainsAndItsModelRecordsThem() {
        String dataset = s3.putDataset("datasets/default/options/", 8);
        Hyperparameters hp = options(ClassWeights.of(Map.of("blue", 1.0, "red", 2.0)));
        List<TrainingEvent> events = new ArrayList<>();

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
    void classWeightsThatDoNotNameTheDatasetsClassesFailTheJobBeforeAnyExtraction() {
        String dataset = s3.putDataset("datasets/default/misspelt/", 4);
        List<TrainingEvent> events = new ArrayList<>();

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
}
