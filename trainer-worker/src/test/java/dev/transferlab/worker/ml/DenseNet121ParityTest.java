package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.weights.WeightsFile;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full DenseNet121 against torchvision's: random weights (with random BatchNorm statistics) saved by torch in
 * its legacy format with the published file's old names, in its zip format and as safetensors, and one input batch.
 */
class DenseNet121ParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"densenet121-legacy.pth", "densenet121-zip.pt", "densenet121.safetensors"})
    void featuresEqualTorchvisionsWithin1e4(String weights) throws IOException {
        Path fixtures = TorchvisionFixtures.full();
        Map<String, Tensor> io = SafeTensors.read(Files.readAllBytes(fixtures.resolve("densenet121-io.safetensors")));

        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, fixtures.resolve(weights)).build())) {
            float[] features = TinyDenseNetParityTest.flatten(
                    backbone.features(TinyDenseNetParityTest.images(io.get("input"))));

            double diff = ParityFixtures.maxAbsDiff(features, io.get("features").data());
            System.out.printf("DenseNet121 parity (%s): max abs diff %.3g over %d features, largest |feature| %.3g%n",
                    weights, diff, features.length, TinyDenseNetParityTest.maxAbs(features));
            assertThat(diff).isLessThanOrEqualTo(TinyDenseNetParityTest.TOLERANCE);
            assertThat(TinyDenseNetParityTest.maxAbs(features)).isGreaterThan(0.1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"densenet121-legacy.pth", "densenet121-zip.pt", "densenet121.safetensors"})
    void theFormatsHoldTheSameParameters(String weights) throws IOException {
        Path fixtures = TorchvisionFixtures.full();

        Map<String, Tensor> read = DenseNetWeights.modernNames(WeightsFile.read(Files.readAllBytes(
                fixtures.resolve(weights))));

        assertThat(read).hasSizeGreaterThanOrEqualTo(604); // 1 + 4 + 580 + 15 + 4, plus classifier and counters
        assertThat(read.get("features.denseblock4.denselayer16.conv2.weight").shape()).containsExactly(32, 128, 3, 3);
    }
}
