package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Damaged artifacts read back from a real S3 server are named, never thrown as a parser's internals. */
class DamagedArtifactsIT {
    @TempDir
    static Path data;
    static S3Fixture s3;

    @BeforeAll
    static void start() {
        s3 = new S3Fixture(data);
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void aDamagedCheckpointIsTreatedAsNoneSoTheJobStartsAgain() {
        TrainingRequest job = S3Fixture.request("job-damaged-checkpoint", "s3://transferlab/x/",
                Hyperparameters.defaults());
        s3.store.put(s3.store.inDefaultBucket(StorageLayout.checkpoint(job.tenant(), job.jobId())),
                "not a checkpoint".getBytes(StandardCharsets.UTF_8), "application/octet-stream");

        assertThat(new CheckpointStore(s3.store).load(job)).isEmpty();
    }

    @Test
    void damagedHeadWeightsFailWithTheModelNamed() {
        String key = StorageLayout.modelHeadWeights("default", "model-damaged");
        s3.store.put(s3.store.inDefaultBucket(key), new byte[]{1, 2, 3}, "application/octet-stream");
        ModelManifest manifest = new ModelManifest(1, "model-damaged", "job-1", "default", Instant.now(),
                List.of("a", "b"), S3Fixture.TINY, "random", null, PreprocessingSpec.imagenet(),
                Hyperparameters.defaults(), "s3://transferlab/x/", 2, 2, 1, List.of(),
                s3.store.inDefaultBucket(key).toString(), 0, null);

        assertThatThrownBy(() -> new ModelRepository(s3.store).headWeights(manifest))
                .isInstanceOf(JobFailure.class)
                .hasMessageContaining("head weights of model model-damaged are damaged");
    }
}
