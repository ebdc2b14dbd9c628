package dev.transferlab.worker.export;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelExportFile;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.infra.InfraProcess;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.inference.DynamicBatcher;
import dev.transferlab.worker.inference.ModelPredictor;
import dev.transferlab.worker.jobs.ModelRepository;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.ParityFixtures;
import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Sha256;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.TestImages;
import dev.transferlab.worker.ml.weights.WeightsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The export against the service: README's load_export.py, run with Debian's torchvision on the exported file, gives
 * the predictor's probabilities within 1e-5 on the same images, for a backbone rebuilt from a seed and for one loaded
 * from a weights file. -Dtransferlab.parity.python=skip skips it, as it does the other torchvision checks.
 */
class ModelExportParityIT {
    private static final double TOLERANCE = 1e-5;
    private static final String TENANT = "default";
    private static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
    private static final Path README = Path.of("../README.md");

    @TempDir
    static Path data;
    static InfraProcess infra;
    static ObjectStore store;
    static ModelRepository models;
    static BackboneProvider backbones;
    static ModelPredictor predictor;

    @BeforeAll
    static void start() {
        infra = InfraProcess.start(data.resolve("s3"));
        store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                "transferlab"));
        store.ensureBucket("transferlab");
        models = new ModelRepository(store);
        backbones = new BackboneProvider(new BackboneWeightsStore(store, data.resolve("weights")), Device.cpu(),
                new BackboneSettings(Optional.empty(), Optional.empty(), true, 0, List.of()));
        predictor = new ModelPredictor(models, backbones, Device.cpu(), TestImages.budget(), 4,
                new DynamicBatcher.Settings(8, Duration.ZERO));
    }

    @AfterAll
    static void stop() {
        if (predictor != null) {
            predictor.close();
            backbones.close();
        }
        if (store != null) {
            store.close();
            infra.close();
        }
    }

    @Test
    void randomWeightsRebuiltFromTheirSeedLoadInTorchvisionAndGiveTheServicesProbabilities() throws Exception {
        String sha256 = DenseNetWeights.sha256(DenseNetWeights.randomStateDict(new DenseNet(TINY), 7));
        ModelManifest manifest = manifest("random-backbone", PreprocessingSpec.imagenet(), "random-init:seed=7",
                sha256);

        checkParity(manifest);
        // The next model on the same backbone finds its part stored, and its export is put together from it.
        checkParity(manifest("random-backbone-again", PreprocessingSpec.imagenet(), "random-init:seed=7", sha256));
    }

    @Test
    void weightsFromAFileLoadInTorchvisionAndGiveTheServicesProbabilities() throws Exception {
        Path file = ParityFixtures.path("tiny-densenet-legacy.pth");
        ObjectLocation stored = store.inDefaultBucket(StorageLayout.backboneWeights(Sha256.hex(file)));
        store.put(stored, file, "application/octet-stream");
        String sha256 = DenseNetWeights.sha256(DenseNetWeights.checked(new DenseNet(TINY),
                WeightsFile.read(Files.readAllBytes(file))));
        ModelManifest manifest = manifest("file-backbone", PreprocessingSpec.tutorial(), stored.toString(), sha256);

        checkParity(manifest);
    }

    private void checkParity(ModelManifest manifest) throws Exception {
        Map<String, String> artifacts = models.save(manifest, head(manifest.backbone().featureSize(), 12, 3), null);
        assertThat(artifacts).containsKey("backboneExport").doesNotContainKey("export");
        // As the api-service serves it: the stored backbone part and head weights, put together.
        Path export = data.resolve(manifest.modelId() + ".safetensors");
        try (InputStream part = store.open(store.locate(artifacts.get("backboneExport"))).orElseThrow();
             InputStream assembled = ModelExportFile.assemble(part,
                     store.get(store.locate(artifacts.get("headWeights"))).orElseThrow(), manifest)) {
            Files.copy(assembled, export);
        }
        byte[] bytes = Files.readAllBytes(export);
        assertThat(SafeTensors.read(bytes).keySet()).contains("features.conv0.weight",
                "features.denseblock1.denselayer1.norm1.running_mean", "features.norm5.running_var",
                "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias");
        assertThat(Messages.mapper().readValue(SafeTensors.metadata(bytes).get(ModelExportFile.MANIFEST),
                ModelManifest.class)).isEqualTo(manifest);

        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path image = data.resolve(manifest.modelId() + "-" + i + ".png");
            Files.write(image, png(i));
            images.add(image);
        }
        Map<String, JsonNode> torch = runSnippet(export, images);

        double spread = 0;
        for (Path image : images) {
            InferenceResult service = predictor.predict(InferenceRequest.of("r-" + image.getFileName(), TENANT,
                    manifest.modelId(), Files.readAllBytes(image))).join();
            assertThat(service.error()).isNull();
            JsonNode theirs = torch.get(image.toString());
            for (InferenceResult.Prediction prediction : service.predictions()) {
                assertThat(theirs.get(prediction.className()).asDouble()).as(image + " " + prediction.className())
                        .isCloseTo(prediction.probability(), within(TOLERANCE));
                spread = Math.max(spread, Math.min(prediction.probability(), 1 - prediction.probability()));
            }
        }
        assertThat(spread).as("probabilities away from 0 and 1, where a tolerance means something")
                .isGreaterThan(0.05);
    }

    /** Runs the README's load_export.py; answers each image's probabilities by class. */
    private static Map<String, JsonNode> runSnippet(Path export, List<Path> images) throws Exception {
        String python = System.getProperty("transferlab.parity.python", "/usr/bin/python3");
        Assumptions.assumeFalse(python.equals("skip"), "torchvision checks skipped (transferlab.parity.python=skip)");
        Path script = data.resolve("load_export.py");
        Files.writeString(script, snippet());
        List<String> command = new ArrayList<>(List.of(python, script.toString(), export.toString()));
        images.forEach(image -> command.add(image.toString()));
        Path output = data.resolve("python.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("load_export.py took over 5 minutes");
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("load_export.py (needs Debian's python3-torchvision and python3-pil) "
                + "said:\n" + printed).isZero();
        Map<String, JsonNode> probabilities = new LinkedHashMap<>();
        for (String line : printed.strip().split("\n")) {
            JsonNode result = Messages.mapper().readTree(line);
            probabilities.put(result.get("image").asText(), result.get("probabilities"));
        }
        assertThat(probabilities).hasSize(images.size());
        return probabilities;
    }

    /** The python block that follows the README's {@code <!-- load_export.py -->} marker. */
    static String snippet() throws IOException {
        Matcher block = Pattern.compile("<!-- load_export.py -->\\s*```python\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(README, StandardCharsets.UTF_8));
        assertThat(block.find()).as("README.md has the load_export.py snippet").isTrue();
        return block.group(1);
    }

    private static ModelManifest manifest(String modelId, PreprocessingSpec preprocessing, String weights,
                                          String sha256) {
        return new ModelManifest(Messages.SCHEMA_VERSION, modelId, modelId, TENANT, Instant.now(),
                List.of("cat", "dog", "owl"), TINY, weights, sha256, preprocessing,
                new Hyperparameters(1, 8, 1e-3, 16, 0.2, 1, null), "s3://transferlab/datasets/x/", 10, 2, 1,
                List.of(), store.inDefaultBucket(StorageLayout.modelHeadWeights(TENANT, modelId)).toString(), 0, null);
    }

    /** A head drawn as torch.nn.Linear initialises one: probabilities that are neither 0 nor 1. */
    private static Map<String, Tensor> head(int features, int hidden, int classes) {
        Random random = new Random(3);
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("fc1.weight", uniform(random, 1 / Math.sqrt(features), hidden, features));
        head.put("fc1.bias", uniform(random, 1 / Math.sqrt(features), hidden));
        head.put("fc2.weight", uniform(random, 1 / Math.sqrt(hidden), classes, hidden));
        head.put("fc2.bias", uniform(random, 1 / Math.sqrt(hidden), classes));
        return head;
    }

    private static Tensor uniform(Random random, double bound, long... shape) {
        float[] values = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return new Tensor(shape, values);
    }

    private static byte[] png(int seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(300 + 20 * seed, 260, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < 20; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(260), random.nextInt(220), 20 + random.nextInt(80), 20 + random.nextInt(80));
        }
        g.dispose();
        return TestImages.png(image);
    }
}
