package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BackboneTest {

    @Test
    void densenet121MapsAnImageToAFiniteFeatureVector() {
        try (Backbone backbone = random(BackboneSpec.densenet121(), 1)) {
            float[] image = randomImage(224, new Random(2));

            long start = System.nanoTime();
            float[][] features = backbone.features(List.of(image));
            System.out.printf("densenet121 forward, 1 image at 224: %.0f ms%n", (System.nanoTime() - start) / 1e6);

            assertThat(backbone.featureSize()).isEqualTo(1024);
            assertThat(features).hasDimensions(1, 1024);
            for (float value : features[0]) {
                // Features follow a ReLU and an average, so they are finite and never negative.
                assertThat(value).isFinite().isGreaterThanOrEqualTo(0f);
            }
            assertThat(TinyDenseNetParityTest.maxAbs(features[0])).isPositive();
        }
    }

    @Test
    void eachImageIsIndependentOfItsBatch() {
        try (Backbone backbone = random(DenseNetTest.tiny(), 3)) {
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
    void theSameSeedGivesTheSameBackboneAndAnotherSeedAnother() {
        try (Backbone a = random(DenseNetTest.tiny(), 42); Backbone b = random(DenseNetTest.tiny(), 42);
                Backbone c = random(DenseNetTest.tiny(), 43)) {
            float[] image = randomImage(32, new Random(6));

            assertThat(a.sha256()).isEqualTo(b.sha256()).isNotEqualTo(c.sha256());
            assertThat(a.features(List.of(image))[0]).containsExactly(b.features(List.of(image))[0]);
        }
    }

    @Test
    void fp16FeaturesOfDenseNet121FollowItsFp32Features() {
        Random random = new Random(8);
        List<float[]> images = List.of(randomImage(64, random), randomImage(64, random), randomImage(64, random));
        float[][] fp32;
        try (Backbone backbone = random(BackboneSpec.densenet121(), 1)) {
            fp32 = backbone.features(images);
        }
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.RANDOM_SEED, 1L).build(), DataType.FLOAT16)) {
            float[][] fp16 = backbone.features(images);

            assertThat(backbone.precision()).isEqualTo(DataType.FLOAT16);
            for (int i = 0; i < images.size(); i++) {
                // Cast for real: the values moved, by no more than fp16's rounding through 121 layers.
                assertThat(fp16[i]).isNotEqualTo(fp32[i]);
                assertThat(Cosine.similarity(fp16[i], fp32[i])).isGreaterThan(0.99999);
            }
        }
    }

    @Test
    void oddlySizedInputIsRefused() {
        try (Backbone backbone = random(DenseNetTest.tiny(), 1)) {
            assertThatThrownBy(() -> backbone.features(List.of(new float[3 * 32 * 31])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x side x side");
            assertThatThrownBy(() -> backbone.features(List.of(new float[3 * 32 * 32], new float[3 * 16 * 16])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one size");
        }
    }

    @Test
    void aModelFromElsewhereIsNotABackbone() {
        ZooModel<NDList, NDList> plain = new ZooModel<>(Model.newInstance("plain", Device.cpu()), new NoopTranslator());

        assertThatThrownBy(() -> new Backbone(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("featureSize");
    }

    @Test
    void aDenseNetNeedsWeightsOrASeed() {
        Criteria<NDList, NDList> neither = BackboneCriteria.denseNet(DenseNetTest.tiny(), Device.cpu()).build();

        assertThatThrownBy(() -> BackboneCriteria.load(neither)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights").hasMessageContaining("randomSeed");
    }

    static Backbone random(BackboneSpec spec, long seed) {
        return BackboneCriteria.load(BackboneCriteria.denseNet(spec, Device.cpu())
                .optArgument(BackboneCriteria.RANDOM_SEED, seed).build());
    }

    static float[] randomImage(int side, Random random) {
        float[] image = new float[3 * side * side];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        return image;
    }
}
