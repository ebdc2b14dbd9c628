package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java DenseNet against torchvision's on a tiny configuration, from committed fixtures: the same weights (random,
 * with random BatchNorm statistics, saved by torch in each format) and the same input must give the same features.
 */
class TinyDenseNetParityTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-densenet-legacy.pth", "tiny-densenet-zip.pt", "tiny-densenet.safetensors"})
    void featuresEqualTorchvisionsWithin1e4(String weights) {
        Map<String, Tensor> io = ParityFixtures.tensors("tiny-densenet-io.safetensors");

        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(DenseNetTest.tiny(), Device.cpu())
                .optArgument(BackboneCriteria.WEIGHTS, ParityFixtures.path(weights)).build())) {
            float[][] features = backbone.features(images(io.get("input")));

            float[] flat = flatten(features);
            double diff = ParityFixtures.maxAbsDiff(flat, io.get("features").data());
            System.out.printf("tiny DenseNet parity (%s): max abs diff %.3g over %d features%n", weights, diff,
                    flat.length);
            assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
            assertThat(maxAbs(flat)).as("features large enough for the tolerance to mean something").isGreaterThan(0.1);
        }
    }

    static List<float[]> images(Tensor batch) {
        int size = Math.toIntExact(batch.data().length / batch.shape()[0]);
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < batch.shape()[0]; i++) {
            images.add(Arrays.copyOfRange(batch.data(), i * size, (i + 1) * size));
        }
        return images;
    }

    static float[] flatten(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return flat;
    }

    static double maxAbs(float[] values) {
        double max = 0;
        for (float value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }
}
