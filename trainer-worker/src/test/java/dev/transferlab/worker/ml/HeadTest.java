package dev.transferlab.worker.ml;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeadTest {

    @Test
    void loadedHeadGivesProbabilitiesThatClassifyTheClusters() {
        TrainingOutcome outcome = new HeadTrainer(Device.cpu()).train(HeadTrainerTest.clusters(200, 1),
                HeadTrainerTest.clusters(100, 2), 2, HeadTrainerTest.HP, Optional.empty(), HeadTrainerTest.IGNORE);
        // Through the file format, as a stored model would travel.
        Map<String, Tensor> weights = SafeTensors.read(SafeTensors.write(outcome.headWeights()));
        LabelledFeatures unseen = HeadTrainerTest.clusters(100, 99);

        try (Head head = Head.load(weights, Device.cpu())) {
            float[][] probabilities = head.probabilities(unseen.features());

            assertThat(head.numClasses()).isEqualTo(2);
            assertThat(probabilities).hasDimensions(100, 2);
            int correct = 0;
            for (int i = 0; i < probabilities.length; i++) {
                assertThat(probabilities[i][0] + probabilities[i][1]).isCloseTo(1f, within(1e-5f));
                correct += (probabilities[i][1] > probabilities[i][0] ? 1 : 0) == unseen.labels()[i] ? 1 : 0;
            }
            assertThat(correct).isGreaterThanOrEqualTo(90);
        }
    }

    @Test
    void sizesComeFromTheWeights() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("fc1.weight", new Tensor(new long[] {3, 5}, new float[15]));
        weights.put("fc1.bias", new Tensor(new long[] {3}, new float[3]));
        weights.put("fc2.weight", new Tensor(new long[] {4, 3}, new float[12]));
        weights.put("fc2.bias", new Tensor(new long[] {4}, new float[] {0, 0, 0, (float) Math.log(5)}));

        try (Head head = Head.load(weights, Device.cpu())) {
            assertThat(head.numClasses()).isEqualTo(4);
            // All-zero weights leave only the bias: softmax(0, 0, 0, log 5) = (1, 1, 1, 5) / 8.
            assertThat(head.probabilities(new float[][] {new float[5]})[0])
                    .containsExactly(new float[] {0.125f, 0.125f, 0.125f, 0.625f}, within(1e-6f));
        }
    }

    @Test
    void inconsistentWeightsAreRefused() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("fc1.weight", new Tensor(new long[] {3, 5}, new float[15]));
        weights.put("fc1.bias", new Tensor(new long[] {2}, new float[2]));
        weights.put("fc2.weight", new Tensor(new long[] {4, 3}, new float[12]));
        weights.put("fc2.bias", new Tensor(new long[] {4}, new float[4]));

        assertThatThrownBy(() -> Head.load(weights, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc1.bias");
        weights.put("fc1.bias", new Tensor(new long[] {3}, new float[3]));
        weights.remove("fc2.bias");
        assertThatThrownBy(() -> Head.load(weights, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc2.bias");
    }
}
