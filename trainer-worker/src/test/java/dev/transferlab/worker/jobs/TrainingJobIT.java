package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
                Device.cpu(), new BackboneSettings(Optional.empty(), Optional.empty(), true, 0));
        job = new TrainingJob(s3.store, backbones, new ModelRepository(s3.store), Device.cpu(), new Cancellations(),
                new FeatureSettings(4, 2, Duration.ZERO));
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

        List<TrainingEvent> first = new ArrayList<>();
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

        List<TrainingEvent> second = new ArrayList<>();
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

    private static List<TrainingEventType> types(List<TrainingEvent> events) {
        return events.stream().map(TrainingEvent::type).toList();
    }

    private static TrainingEvent last(List<TrainingEvent> events) {
        return events.get(events.size() - 1);
    }
}
