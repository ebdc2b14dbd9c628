package dev.transferlab.worker.backbone;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.jobs.Cancellations;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.ml.ParityFixtures;
import dev.transferlab.worker.ml.Sha256;
import dev.transferlab.worker.ml.StopCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackboneProviderTest {

    static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
    /** DenseNet121's knobs under another name: random weights, 8 million parameters, seconds to build. */
    static final BackboneSpec LARGE = new BackboneSpec("densenet", 32, List.of(6, 12, 24, 16), 64, 4);
    static final BackboneSettings RANDOM_ALLOWED = new BackboneSettings(Optional.empty(), Optional.empty(), true, 3,
            List.of());
    static ObjectStore store;

    @TempDir
    Path disk;

    @BeforeAll
    static void start() {
        store = SharedS3.store();
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void aTorchScriptBackboneIsRecordedByContentAndRebuiltElsewhereForInference() {
        byte[] module = ParityFixtures.bytes("torchscript-tiny-densenet.pt");
        store.put(store.inDefaultBucket("uploads/tiny.pt"), module, "application/octet-stream");
        BackboneSpec spec = BackboneSpec.torchScript("s3://" + SharedS3.BUCKET + "/uploads/tiny.pt", null);
        float[] image = image(24);

        try (BackboneProvider trainer = provider(disk.resolve("trainer"), RANDOM_ALLOWED);
                BackboneProvider predictor = provider(disk.resolve("predictor"), RANDOM_ALLOWED)) {
            LoadedBackbone training = trainer.forTraining(spec, StopCheck.NEVER);
            LoadedBackbone inference = predictor.forModel(spec, training.weightsSource(), training.sha256());

            assertThat(training.sha256()).isEqualTo(Sha256.hex(module));
            assertThat(training.weightsSource()).endsWith("/backbones/sha256/" + Sha256.hex(module));
            assertThat(training.backbone().featureSize()).isEqualTo(32);
            assertThat(inference.backbone().features(List.of(image))[0])
                    .containsExactly(training.backbone().features(List.of(image))[0]);
        }
    }

    @Test
    void aJobMayNotPointTheWorkerAtItsOwnFilesOrAtPlainHttp() {
        try (BackboneProvider provider = provider(disk, RANDOM_ALLOWED)) {
            for (String location : new String[] {"/etc/passwd", "http://example.org/m.pt", null}) {
                assertThatThrownBy(() -> provider.forTraining(BackboneSpec.torchScript(location, null),
                        StopCheck.NEVER))
                        .isInstanceOf(JobFailure.class).hasMessageContaining("s3:// or https://");
            }
        }
    }

    @Test
    void aJobsHttpsWeightsMustComeFromAnAllowedHost() {
        BackboneSettings allowing = new BackboneSettings(Optional.empty(), Optional.empty(), true, 3,
                List.of(" Models.Example.ORG ", "127.0.0.1"));
        try (BackboneProvider provider = provider(disk, allowing)) {
            for (String location : new String[] {"https://169.254.169.254/latest/meta-data/m.pt",
                    "https://models.example.org.evil.test/m.pt", "https://localhost:8081/m.pt"}) {
                assertThatThrownBy(() -> provider.forTraining(BackboneSpec.torchScript(location, null),
                        StopCheck.NEVER))
                        .isInstanceOf(JobFailure.class)
                        .hasMessageContaining("transferlab.backbone.job-weights-hosts [models.example.org, 127.0.0.1]");
            }
            // An allowed host passes the check and fails only at the download: nothing listens on port 1.
            assertThatThrownBy(() -> provider.forTraining(BackboneSpec.torchScript("https://127.0.0.1:1/m.pt", null),
                    StopCheck.NEVER))
                    .isInstanceOf(JobFailure.class).hasMessageContaining("cannot fetch backbone weights")
                    .hasMessageNotContaining("job-weights-hosts");
        }
    }

    @Test
    void weightsThatDoNotFitDenseNet121AreRefusedNamingTheParameter() {
        BackboneSettings tinyWeights = new BackboneSettings(
                Optional.of(ParityFixtures.path("tiny-densenet-legacy.pth").toString()), Optional.empty(), false, 0,
                List.of());

        try (BackboneProvider provider = provider(disk, tinyWeights)) {
            assertThatThrownBy(() -> provider.forTraining(BackboneSpec.densenet121(), StopCheck.NEVER))
                    .isInstanceOf(JobFailure.class)
                    .hasMessageContaining("features.conv0.weight has shape (16, 3, 7, 7) but densenet121 needs "
                            + "(64, 3, 7, 7)");
        }
    }

    @Test
    void randomWeightsAreReproducibleFromTheManifestAndOtherWeightsRefused() {
        try (BackboneProvider provider = provider(disk, RANDOM_ALLOWED);
                BackboneProvider other = provider(disk, RANDOM_ALLOWED)) {
            LoadedBackbone training = provider.forTraining(TINY, StopCheck.NEVER);

            assertThat(training.isRandom()).isTrue();
            assertThat(other.forModel(TINY, training.weightsSource(), training.sha256()).sha256())
                    .isEqualTo(training.sha256());
            assertThatThrownBy(() -> other.forModel(TINY, "random-init:seed=4", training.sha256()))
                    .isInstanceOf(JobFailure.class).hasMessageContaining("the model was trained on");
        }
        BackboneSettings strict = new BackboneSettings(Optional.empty(), Optional.empty(), false, 0,
                List.of());
        try (BackboneProvider provider = provider(disk, strict)) {
            assertThatThrownBy(() -> provider.forTraining(BackboneSpec.densenet121(), StopCheck.NEVER))
                    .isInstanceOf(JobFailure.class).hasMessageContaining("transferlab.backbone.weights");
        }
    }

    @Test
    void aBackboneBeingBuiltStopsAtTheNextLayerWhenItsJobIsCancelledAndHoldsUpNoOtherBackbone() throws Exception {
        Cancellations cancellations = new Cancellations();
        CountDownLatch aIsBuilding = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        CountDownLatch bIsWaiting = new CountDownLatch(1);
        AtomicBoolean tinyLoaded = new AtomicBoolean();
        AtomicBoolean tinyLoadedWhileABuilt = new AtomicBoolean();
        AtomicInteger aLayers = new AtomicInteger();
        AtomicInteger bChecks = new AtomicInteger();
        StopCheck jobA = () -> {
            if (aLayers.incrementAndGet() == 3) {
                aIsBuilding.countDown();
                // Bounded, so that a provider that makes the others wait fails this test instead of hanging it.
                awaitQuietly(goOn);
                tinyLoadedWhileABuilt.set(tinyLoaded.get());
            }
            cancellations.throwIfCancelled("default", "job-a");
        };
        StopCheck jobB = () -> {
            bChecks.incrementAndGet();
            bIsWaiting.countDown();
        };

        ExecutorService jobs = Executors.newFixedThreadPool(2);
        try (BackboneProvider provider = provider(disk, RANDOM_ALLOWED)) {
            CompletableFuture<LoadedBackbone> a = CompletableFuture.supplyAsync(() -> provider.forTraining(LARGE, jobA),
                    jobs);
            assertThat(aIsBuilding.await(60, TimeUnit.SECONDS)).as("job a's build reached its third layer").isTrue();

            LoadedBackbone tiny = provider.forTraining(TINY, StopCheck.NEVER);
            tinyLoaded.set(true);
            // Job b needs the very backbone job a is building, so it waits for that build (asking its own check).
            CompletableFuture<LoadedBackbone> b = CompletableFuture.supplyAsync(() -> provider.forTraining(LARGE, jobB),
                    jobs);
            assertThat(bIsWaiting.await(60, TimeUnit.SECONDS)).isTrue();
            cancellations.cancel("default", "job-a");
            goOn.countDown();

            assertThatThrownBy(a::join).hasCauseInstanceOf(Cancellations.JobCancelled.class)
                    .cause().hasMessageContaining("job-a");
            assertThat(aLayers).as("job a stopped at the first layer after its cancellation").hasValue(3);
            assertThat(tinyLoadedWhileABuilt).as("another backbone loaded while job a's was being built").isTrue();
            assertThat(tiny.backbone().featureSize()).isEqualTo(32);

            LoadedBackbone large = b.get(5, TimeUnit.MINUTES);
            assertThat(large.backbone().featureSize()).isEqualTo(1024);
            assertThat(bChecks.get()).as("job b built it anew, layer by layer, once job a's build was dropped")
                    .isGreaterThan(58);
            assertThat(provider.forTraining(LARGE, StopCheck.NEVER)).as("kept once built").isSameAs(large);
        } finally {
            jobs.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static BackboneProvider provider(Path cache, BackboneSettings settings) {
        return new BackboneProvider(new BackboneWeightsStore(store, cache), Device.cpu(), settings);
    }

    private static float[] image(int side) {
        Random random = new Random(1);
        float[] image = new float[3 * side * side];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        return image;
    }
}
