package dev.transferlab.worker.ml;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Each head option (and all of them at once) trains as PyTorch trains it, from the same initial weights, in the same
 * batch order, with the same dropout masks: parity/head-options.json, made by
 * {@code /usr/bin/python3 src/test/python/head_fixtures.py src/test/resources/parity/head-options.json} with
 * torch's own modules, losses, optimisers and schedulers. The learning rates are the same doubles; losses and weights
 * agree to float32 rounding (summation order differs between torch 1.13 and DJL's libtorch 2.5), within
 * {@link #LOSS_TOLERANCE} and {@link #WEIGHT_TOLERANCE} after 4 epochs of 3 batches.
 */
class HeadOptionsParityTest {

    static final double LOSS_TOLERANCE = 1e-6;
    static final double WEIGHT_TOLERANCE = 1e-6;
    static final JsonNode FIXTURE = read();

    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        FIXTURE.get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainsAsPyTorchDoes(String name) throws IOException {
        JsonNode fixture = caseNamed(name);
        Hyperparameters hp = Messages.mapper().treeToValue(fixture.get("hyperparameters"), Hyperparameters.class);
        JsonNode torch = fixture.get("torch");
        LabelledFeatures train = features(FIXTURE.get("train"));
        List<String> classes = Messages.mapper().convertValue(FIXTURE.get("classes"),
                Messages.mapper().getTypeFactory().constructCollectionType(List.class, String.class));

        TrainingOutcome outcome = new HeadTrainer(Device.cpu()).train(train, features(FIXTURE.get("validation")),
                classes, hp, Optional.empty(), (metrics, checkpoint) -> { });

        // The inputs first, so a difference in them is not mistaken for one in the arithmetic.
        assertThat(SeededShuffle.permutation(train.size(), hp.seed(), 1))
                .containsExactly(longs(torch.get("firstEpoch").get("order")));
        if (hp.dropout() != null) {
            float[] noise = floats(torch.get("firstEpoch").get("noise"));
            assertThat(SeededDropout.noise(hp.dropout(), hp.seed(), 1, 0, noise.length)).containsExactly(noise);
        }
        JsonNode epochs = torch.get("epochs");
        assertThat(outcome.epochs()).hasSize(epochs.size());
        for (int i = 0; i < epochs.size(); i++) {
            EpochMetrics java = outcome.epochs().get(i);
            JsonNode expected = epochs.get(i);
            double rate = expected.get("learningRate").asDouble();
            assertThat(java.learningRate()).as("epoch %d learning rate", i + 1).isCloseTo(rate, within(1e-15 * rate));
            assertThat(java.trainLoss()).as("epoch %d train loss", i + 1)
                    .isCloseTo(expected.get("trainLoss").asDouble(), within(LOSS_TOLERANCE));
            assertThat(java.validationLoss()).as("epoch %d validation loss", i + 1)
                    .isCloseTo(expected.get("validationLoss").asDouble(), within(LOSS_TOLERANCE));
            assertThat(java.validationAccuracy()).isEqualTo(expected.get("validationAccuracy").asDouble());
        }
        double worst = 0;
        for (Map.Entry<String, Tensor> weight : outcome.lastWeights().entrySet()) {
            worst = Math.max(worst, ParityFixtures.maxAbsDiff(weight.getValue().data(),
                    floats(torch.get("lastWeights").get(weight.getKey()))));
        }
        System.out.printf("head options %s: largest weight difference from torch %.2g%n", name, worst);
        assertThat(worst).isLessThan(WEIGHT_TOLERANCE);
    }

    private static JsonNode caseNamed(String name) {
        for (JsonNode c : FIXTURE.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name);
    }

    private static LabelledFeatures features(JsonNode set) {
        JsonNode rows = set.get("features");
        float[][] features = new float[rows.size()][];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = floats(rows.get(i));
            labels[i] = set.get("labels").get(i).asInt();
        }
        return new LabelledFeatures(features, labels);
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    private static long[] longs(JsonNode values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asLong();
        }
        return out;
    }

    private static JsonNode read() {
        try {
            return Messages.mapper().readTree(ParityFixtures.bytes("head-options.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
