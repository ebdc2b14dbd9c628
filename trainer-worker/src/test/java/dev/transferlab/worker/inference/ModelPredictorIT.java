package dev.transferlab.worker.inference;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.infra.InfraProcess;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.jobs.ModelRepository;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The predictor's model cache against a real S3 server: loads that block only their own model, safe eviction. */
class ModelPredictorIT {
    private static final String TENANT = "default";
    private static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
    private static final String RANDOM_WEIGHTS = "random-init:seed=0";

    @TempDir
    static Path data;
    static InfraProcess infra;
    static ObjectStore store;
    static ModelRepository models;
    BackboneProvider backbones;
    ModelPredictor predictor;

    @BeforeAll
    static void start() {
        infra = InfraProcess.start(data.resolve("s3"));
        store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                "transferlab"));
        store.ensureBucket("transferlab");
        models = new ModelRepository(store);
        save("tiny-b", TINY, List.of("b0", "b1", "b2"), 1);
        save("tiny-c", TINY, List.of("c0", "c1"), 2);
        save("large-a", BackboneSpec.densenet121(), List.of("a0", "a1"), 3);
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @AfterEach
    void closePredictor() {
        predictor.close();
        backbones.close();
    }

    @Test
    void aSlowColdLoadOfOneModelDoesNotDelayPredictionsOfALoadedOne() throws Exception {
        predictor = predictor(8);
        assertThat(predict("tiny-b", 0).error()).isNull();
        // A training job starts building large-a's backbone and is held between two layers: large-a's cold load
        // then waits for that build, for as long as the test likes.
        CountDownLatch buildHeld = new CountDownLatch(1);
        CountDownLatch buildMayGoOn = new CountDownLatch(1);
        CompletableFuture<Void> build = CompletableFuture.runAsync(() -> backbones.forTraining(
                BackboneSpec.densenet121(), () -> {
                    buildHeld.countDown();
                    await(buildMayGoOn);
                }));
        CompletableFuture<InferenceResult> large = new CompletableFuture<>();
        Thread loader = new Thread(() -> large.complete(predict("large-a", 0)));
        try {
            assertThat(buildHeld.await(60, TimeUnit.SECONDS)).isTrue();
            loader.start();
            while (!waitsForTheBackbone(loader)) {
                assertThat(large).as("large-a waits for its backbone's build").isNotDone();
                Thread.sleep(10);
            }

            CompletableFuture<Boolean> loaded = CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 5; i++) {
                    assertThat(predict("tiny-b", i).error()).isNull();
                }
                return true;
            });

            assertThat(loaded.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(large).isNotDone();
        } finally {
            buildMayGoOn.countDown();
        }
        build.get(5, TimeUnit.MINUTES);
        InferenceResult result = large.get(5, TimeUnit.MINUTES);
        assertThat(result.error()).isNull();
        assertThat(result.predictions()).hasSize(2);
    }

    private static boolean waitsForTheBackbone(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(frame ->
                frame.getClassName().equals(BackboneProvider.class.getName()) && frame.getMethodName().equals("await"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void concurrentRequestsShareOneForwardPassAndABadImageAmongThemFailsOnlyItself() throws Exception {
        predictor = predictor(8);
        List<List<InferenceResult.Prediction>> alone = new ArrayList<>();
        for (int image = 0; image < 3; image++) {
            alone.add(predict("tiny-b", image).predictions());
        }
        predictor.close();
        // A batch that is never old enough to go: only a full one runs, so the three answers prove one pass.
        predictor = new ModelPredictor(models, backbones, Device.cpu(), TestImages.budget(), 8,
                new DynamicBatcher.Settings(3, Duration.ofHours(1)));

        List<CompletableFuture<InferenceResult>> answers = new ArrayList<>();
        for (int image = 0; image < 3; image++) {
            answers.add(predictor.predict(InferenceRequest.of("r" + image, TENANT, "tiny-b", png(image))));
            if (image == 1) {
                InferenceResult bad = predictor.predict(InferenceRequest.of("bad", TENANT, "tiny-b",
                        "not an image".getBytes(StandardCharsets.UTF_8))).get(1, TimeUnit.MINUTES);
                assertThat(bad.error().code()).isEqualTo(InferenceResult.ErrorCode.INVALID_IMAGE);
            }
        }
        for (int image = 0; image < 3; image++) {
            InferenceResult result = answers.get(image).get(5, TimeUnit.MINUTES);
            assertThat(result.requestId()).isEqualTo("r" + image);
            assertThat(close(alone.get(image), result.predictions())).as("image %d: %s", image, result).isTrue();
        }
        assertThat(alone.get(0)).isNotEqualTo(alone.get(1));
    }

    @Test
    void modelsEvictedWhilePredictionsUseThemStillAnswerCorrectly() throws Exception {
        predictor = predictor(8);
        Map<String, List<InferenceResult.Prediction>> expected = new LinkedHashMap<>();
        for (String model : List.of("tiny-b", "tiny-c")) {
            for (int image = 0; image < 3; image++) {
                expected.put(model + "/" + image, predict(model, image).predictions());
            }
        }
        predictor.close();
        predictor = predictor(1);

        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                workers.add(threads.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        String model = (thread + i) % 2 == 0 ? "tiny-b" : "tiny-c";
                        int image = i % 3;
                        InferenceResult result = predict(model, image);
                        if (!close(expected.get(model + "/" + image), result.predictions())) {
                            wrong.add(model + "/" + image + ": " + result.error() + " " + result.predictions());
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> worker : workers) {
                assertThat(worker.get(5, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * The same classes in the same order with the same probabilities, up to what batching changes: a forward pass over
     * a batch may sum in another order than one over a single image (another model's answer differs far more).
     */
    private static boolean close(List<InferenceResult.Prediction> expected, List<InferenceResult.Prediction> actual) {
        if (actual == null || actual.size() != expected.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).className().equals(actual.get(i).className())
                    || Math.abs(expected.get(i).probability() - actual.get(i).probability()) > 1e-5) {
                return false;
            }
        }
        return true;
    }

    private ModelPredictor predictor(int cacheSize) {
        if (backbones == null) {
            backbones = new BackboneProvider(new BackboneWeightsStore(store, data.resolve("weights")), Device.cpu(),
                    new BackboneSettings(Optional.empty(), Optional.empty(), true, 0, List.of()));
        }
        return new ModelPredictor(models, backbones, Device.cpu(), TestImages.budget(), cacheSize,
                new DynamicBatcher.Settings(8, Duration.ZERO));
    }

    private InferenceResult predict(String modelId, int image) {
        return predictor.predict(InferenceRequest.of("r-" + modelId + "-" + image, TENANT, modelId, png(image))).join();
    }

    private static void save(String modelId, BackboneSpec backbone, List<String> classes, long seed) {
        DenseNet network = new DenseNet(backbone);
        String sha256 = DenseNetWeights.sha256(DenseNetWeights.randomStateDict(network, 0));
        ModelManifest manifest = new ModelManifest(Messages.SCHEMA_VERSION, modelId, modelId, TENANT, Instant.now(),
                classes, backbone, RANDOM_WEIGHTS, sha256, PreprocessingSpec.imagenet(),
                new Hyperparameters(1, 8, 1e-3, 16, 0.2, 1, null), "s3://transferlab/datasets/x/", 10, 2, 1,
                List.of(), store.inDefaultBucket(StorageLayout.modelHeadWeights(TENANT, modelId)).toString(), 0, null);
        models.save(manifest, head(network.featureSize(), 6, classes.size(), seed), null);
    }

    static Map<String, Tensor> head(int features, int hidden, int classes, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("fc1.weight", random(random, hidden, features));
        head.put("fc1.bias", random(random, hidden));
        head.put("fc2.weight", random(random, classes, hidden));
        head.put("fc2.bias", random(random, classes));
        return head;
    }

    private static Tensor random(Random random, long... shape) {
        float[] values = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new Tensor(shape, values);
    }

    static byte[] png(int seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(60 + seed, 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillRect(random.nextInt(50), random.nextInt(40), 5 + random.nextInt(20), 5 + random.nextInt(20));
        }
        g.dispose();
        return TestImages.png(image);
    }
}
