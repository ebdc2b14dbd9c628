package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BackboneTest {

    @Test
    void densenet121MapsAnImageToAFiniteFeatureVector() {
        try (Backbone backbone = Backbone.create(BackboneSpec.densenet121(), Device.cpu())) {
            backbone.randomInit(1);
            float[] image = randomImage(224, new Random(2));

            long start = System.nanoTime();
            float[][] features = backbone.features(List.of(image));
            System.out.printf("densenet121 forward, 1 image at 224: %.0f ms%n", (System.nanoTime() - start) / 1e6);

            assertThat(features).hasDimensions(1, 1024);
            for (float value : features[0]) {
                // Features follow a ReLU and an average, so they are finite and never negative.
                assertThat(value).isFinite().isGreaterThanOrEqualTo(0f);
            }
            assertThat(max(features[0])).isPositive();
        }
    }

    @Test
    void tinyNetworkMapsABatchAndEachImageIndependentlyOfTheBatch() {
        try (Backbone backbone = Backbone.create(DenseNetTest.tiny(), Device.cpu())) {
            backbone.randomInit(3);
            Random random = new Random(4);
            List<float[]> images = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                images.add(randomImage(32, random));
            }

            float[][] batch = backbone.features(images);
            float[][] alone = backbone.features(List.of(images.get(2)));

            assertThat(batch).hasDimensions(4, backbone.featureSize());
            // Inference-mode BatchNorm uses running statistics, so batch neighbours must not matter.
            for (int j = 0; j < backbone.featureSize(); j++) {
                assertThat(batch[2][j]).isCloseTo(alone[0][j], within(1e-5f));
            }
            assertThat(batch[0]).isNotEqualTo(batch[1]);
        }
    }

    @Test
    void randomInitIsDeterministicPerSeed() {
        try (Backbone a = Backbone.create(DenseNetTest.tiny(), Device.cpu());
                Backbone b = Backbone.create(DenseNetTest.tiny(), Device.cpu())) {
            a.randomInit(42);
            b.randomInit(42);
            String first = a.sha256();
            assertThat(first).hasSize(64).isEqualTo(b.sha256());
            b.randomInit(43);
            assertThat(b.sha256()).isNotEqualTo(first);

            Map<String, Tensor> weights = a.stateDict();
            // kaiming-normal: std sqrt(2 / fan_in); conv0 has fan_in 3*7*7
            assertThat(std(weights.get("features.conv0.weight").data())).isCloseTo(Math.sqrt(2.0 / 147), within(0.01));
            assertThat(weights.get("features.norm0.weight").data()).containsOnly(1f);
            assertThat(weights.get("features.norm0.running_mean").data()).containsOnly(0f);
        }
    }

    @Test
    void loadedWeightsGiveTheSameHashAndFeaturesAsTheirSource() {
        try (Backbone source = Backbone.create(DenseNetTest.tiny(), Device.cpu());
                Backbone target = Backbone.create(DenseNetTest.tiny(), Device.cpu())) {
            source.randomInit(5);
            Map<String, Tensor> checkpoint = new LinkedHashMap<>(source.stateDict());
            // What torchvision checkpoints also hold; both must be ignored.
            checkpoint.put("features.norm0.num_batches_tracked", new Tensor(new long[] {}, new float[] {0}));
            checkpoint.put("classifier.weight", new Tensor(new long[] {2, 32}, new float[64]));

            target.loadWeights(checkpoint);

            assertThat(target.sha256()).isEqualTo(source.sha256());
            float[] image = randomImage(32, new Random(6));
            assertThat(target.features(List.of(image))[0]).containsExactly(source.features(List.of(image))[0]);
        }
    }

    @Test
    void loadWeightsRefusesMissingMisshapedOrUnknownParametersByName() {
        try (Backbone backbone = Backbone.create(DenseNetTest.tiny(), Device.cpu())) {
            backbone.randomInit(7);
            Map<String, Tensor> good = backbone.stateDict();

            Map<String, Tensor> missing = new LinkedHashMap<>(good);
            missing.remove("features.denseblock2.denselayer1.conv2.weight");
            assertThatThrownBy(() -> backbone.loadWeights(missing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features.denseblock2.denselayer1.conv2.weight");

            Map<String, Tensor> misshaped = new LinkedHashMap<>(good);
            misshaped.put("features.norm5.bias", new Tensor(new long[] {31}, new float[31]));
            assertThatThrownBy(() -> backbone.loadWeights(misshaped))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features.norm5.bias")
                    .hasMessageContaining("(31)")
                    .hasMessageContaining("(32)");

            Map<String, Tensor> extra = new LinkedHashMap<>(good);
            extra.put("features.denseblock3.denselayer1.conv1.weight", new Tensor(new long[] {1}, new float[1]));
            assertThatThrownBy(() -> backbone.loadWeights(extra))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features.denseblock3.denselayer1.conv1.weight");
        }
    }

    @Test
    void featuresBeforeAnyWeightsAreRefused() {
        try (Backbone backbone = Backbone.create(DenseNetTest.tiny(), Device.cpu())) {
            assertThatThrownBy(() -> backbone.features(List.of(new float[3 * 32 * 32])))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    static float[] randomImage(int side, Random random) {
        float[] image = new float[3 * side * side];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        return image;
    }

    private static float max(float[] values) {
        float max = Float.NEGATIVE_INFINITY;
        for (float value : values) {
            max = Math.max(max, value);
        }
        return max;
    }

    private static double std(float[] values) {
        double sum = 0;
        double squares = 0;
        for (float value : values) {
            sum += value;
            squares += value * value;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }
}
