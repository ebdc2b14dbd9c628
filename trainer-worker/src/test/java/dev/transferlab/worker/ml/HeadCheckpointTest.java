package dev.transferlab.worker.ml;

import ai.djl.ndarray.types.Shape;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadCheckpointTest {

    static final Hyperparameters HP = new Hyperparameters(5, 8, 1e-3, 3, 0.2, 42L, 2);

    @Test
    void bytesRoundTripExactlyIncludingNaNMetrics() {
        HeadCheckpoint checkpoint = checkpoint();

        HeadCheckpoint read = HeadCheckpoint.fromBytes(checkpoint.toBytes());

        assertThat(read).isEqualTo(checkpoint);
        assertThat(read.history().get(1).validationLoss()).isNaN();
        assertThat(read.hyperparameters().earlyStoppingPatience()).isEqualTo(2);
        assertThat(read.headWeights().keySet()).containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    @Test
    void theFileIsPlainSafetensorsWithNamedTensorsAndStringMetadata() {
        byte[] bytes = checkpoint().toBytes();

        Map<String, Tensor> tensors = SafeTensors.read(bytes);
        Map<String, String> metadata = SafeTensors.metadata(bytes);

        assertThat(tensors.keySet()).contains("head.fc1.weight", "adam.m.fc1.weight", "adam.v.fc2.bias",
                "best.fc2.weight").hasSize(16);
        assertThat(tensors.get("adam.m.fc1.weight")).isEqualTo(tensor(3, 4, 0.5f));
        assertThat(metadata).containsEntry("format", CheckpointFile.FORMAT)
                .containsEntry("epoch", "2")
                .containsEntry("best.epoch", "1")
                .containsEntry("adam.step.fc1.bias", "14");
    }

    @Test
    void aWeightsFileIsNotACheckpoint() {
        byte[] weights = SafeTensors.write(checkpoint().headWeights());

        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(weights))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("not a head checkpoint");
    }

    @Test
    void historyMustCoverEveryEpochUpToTheCheckpoint() {
        HeadCheckpoint valid = checkpoint();

        assertThatThrownBy(() -> new HeadCheckpoint(3, HP, 10, 4, valid.headWeights(), valid.optimiser(),
                valid.history(), 1, 0.5, valid.bestWeights()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch 3");
        assertThatThrownBy(() -> new HeadCheckpoint(2, HP, 10, 4, valid.headWeights(), valid.optimiser(),
                List.of(metrics(1, 0.4), metrics(3, 0.5)), 1, 0.5, valid.bestWeights()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 2");
    }

    @Test
    void onlyTheRunItWasTakenFromMayResumeFromIt() {
        HeadCheckpoint checkpoint = checkpoint();
        Map<String, Shape> shapes = new HeadNetwork(4, 3, 2).shapes();

        checkpoint.checkResumes(HP, 10, 4, shapes);
        assertThatThrownBy(() -> checkpoint.checkResumes(new Hyperparameters(5, 8, 1e-3, 3, 0.2, 42L, null), 10, 4,
                shapes)).hasMessageContaining("earlyStoppingPatience=null");
        assertThatThrownBy(() -> checkpoint.checkResumes(HP, 10, 5, shapes)).hasMessageContaining("validating on 4");
        assertThatThrownBy(() -> checkpoint.checkResumes(HP, 10, 4, new HeadNetwork(5, 3, 2).shapes()))
                .hasMessageContaining("fc1.weight has shape (3, 4)");
    }

    @Test
    void damagedMetadataIsAFormatErrorNamingIt() {
        byte[] valid = checkpoint().toBytes();
        Map<String, Tensor> tensors = SafeTensors.read(valid);

        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "history", "null")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("'history' is null");
        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "history", "[null, null]")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("history has an empty entry");
        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "hyperparameters", "null")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("'hyperparameters' is null");
        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "epoch", "9")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("after epoch 9 of 5");
        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "adam.step.fc1.bias", "x")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("corrupt head checkpoint");
        assertThatThrownBy(() -> HeadCheckpoint.fromBytes(withMetadata(valid, tensors, "adam.step.other", "3")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("names its means");
    }

    private static byte[] withMetadata(byte[] file, Map<String, Tensor> tensors, String key, String value) {
        Map<String, String> metadata = new LinkedHashMap<>(SafeTensors.metadata(file));
        metadata.put(key, value);
        return SafeTensors.write(tensors, metadata);
    }

    /** A checkpoint after epoch 2 of a head with 4 features, 3 hidden units and 2 classes; values are arbitrary. */
    static HeadCheckpoint checkpoint() {
        Map<String, Tensor> weights = weights(1f);
        Map<String, Tensor> means = weights(0.5f);
        Map<String, Tensor> variances = weights(0.25f);
        Map<String, Long> steps = new LinkedHashMap<>();
        weights.keySet().forEach(name -> steps.put(name, 14L));
        return new HeadCheckpoint(2, HP, 10, 4, weights, new AdamState(means, variances, steps),
                List.of(metrics(1, 0.4), metrics(2, Double.NaN)), 1, 0.4, weights(-1f));
    }

    private static Map<String, Tensor> weights(float scale) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("fc1.weight", tensor(3, 4, scale));
        weights.put("fc1.bias", tensor(3, 1, scale));
        weights.put("fc2.weight", tensor(2, 3, scale));
        weights.put("fc2.bias", tensor(2, 1, scale));
        return weights;
    }

    private static Tensor tensor(int rows, int columns, float scale) {
        float[] data = new float[rows * columns];
        for (int i = 0; i < data.length; i++) {
            data[i] = scale * (i + 0.1f * rows);
        }
        return new Tensor(columns == 1 ? new long[] {rows} : new long[] {rows, columns}, data);
    }

    private static EpochMetrics metrics(int epoch, double validationLoss) {
        return new EpochMetrics(epoch, 5, 0.1 * epoch + 1e-17, validationLoss, 0.75, 1234.5, 0.3, 1e-3);
    }
}
