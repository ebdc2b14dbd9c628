package dev.transferlab.worker.bench;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.ImagePreprocessor;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The in-process limit of bench/serving.sh: what a worker's predictions cost without HTTP or Kafka, per batch, doing
 * what a batched prediction does (decode and preprocess each image, one backbone pass for the batch, the head).
 * Usage: PredictorBenchmark WEIGHTS IMAGE BATCHES(1,8,16,32) ROUNDS
 */
public final class PredictorBenchmark {
    private static final int HIDDEN_UNITS = 500;
    private static final int CLASSES = 2;
    // A worker that has served for a while runs compiled code and warm allocators; one batch is not enough for that.
    private static final int WARM_UP_BATCHES = 3;

    private PredictorBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: PredictorBenchmark WEIGHTS IMAGE BATCHES ROUNDS");
            System.exit(2);
        }
        byte[] image = Files.readAllBytes(Path.of(args[1]));
        int[] batches = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[3]);
        ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingSpec.imagenet(),
                new DecodeBudget(64L << 20, 512L << 20));
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, Path.of(args[0])).build());
             Head head = Head.load(randomHead(backbone.featureSize()), Device.cpu())) {
            System.out.println("In-process predictor (decode + preprocess + one DenseNet121 pass + head, no HTTP,"
                    + " no Kafka), " + rounds + " timed batches each:");
            for (int batch : batches) {
                for (int w = 0; w < WARM_UP_BATCHES; w++) {
                    predict(preprocessor, backbone, head, image, batch);
                }
                long start = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    predict(preprocessor, backbone, head, image, batch);
                }
                double perBatchMillis = (System.nanoTime() - start) / 1e6 / rounds;
                System.out.printf(Locale.ROOT, "  batch %3d: %6.2f images/s  %8.1f ms per batch%n", batch,
                        batch * 1000 / perBatchMillis, perBatchMillis);
            }
        }
    }

    private static void predict(ImagePreprocessor preprocessor, Backbone backbone, Head head, byte[] image,
                                int batch) {
        List<float[]> inputs = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            inputs.add(preprocessor.apply(image));
        }
        head.probabilities(backbone.features(inputs));
    }

    /** A head of the default shape: its values do not change its cost. */
    private static Map<String, Tensor> randomHead(int featureSize) {
        Random random = new Random(0);
        return Map.of("fc1.weight", random(random, HIDDEN_UNITS, featureSize),
                "fc1.bias", random(random, HIDDEN_UNITS),
                "fc2.weight", random(random, CLASSES, HIDDEN_UNITS),
                "fc2.bias", random(random, CLASSES));
    }

    private static Tensor random(Random random, long... shape) {
        float[] data = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * 0.01);
        }
        return new Tensor(shape, data);
    }
}
