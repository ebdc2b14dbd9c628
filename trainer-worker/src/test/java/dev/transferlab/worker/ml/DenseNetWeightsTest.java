package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.transferlab.common.messages.BackboneSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DenseNetWeightsTest {

    private final NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void randomInitIsDeterministicPerSeedAndFollowsTorchvision() {
        DenseNet a = random(42);
        String first = DenseNetWeights.sha256(a);
        assertThat(first).hasSize(64).isEqualTo(DenseNetWeights.sha256(random(42)));
        assertThat(DenseNetWeights.sha256(random(43))).isNotEqualTo(first);

        Map<String, Tensor> weights = DenseNetWeights.stateDict(a);
        // kaiming-normal: std sqrt(2 / fan_in); conv0 has fan_in 3*7*7
        assertThat(std(weights.get("features.conv0.weight").data())).isCloseTo(Math.sqrt(2.0 / 147), within(0.01));
        assertThat(weights.get("features.norm0.weight").data()).containsOnly(1f);
        assertThat(weights.get("features.norm0.running_mean").data()).containsOnly(0f);
    }

    @Test
    void theHeapStateDictsAreTheWeightsTheEngineGets() {
        DenseNet network = new DenseNet(DenseNetTest.tiny());
        String hash = DenseNetWeights.randomInit(network, manager, 11, StopCheck.NEVER);
        Map<String, Tensor> engine = DenseNetWeights.stateDict(network);

        Map<String, Tensor> random = DenseNetWeights.randomStateDict(new DenseNet(DenseNetTest.tiny()), 11);
        Map<String, Tensor> checkpoint = new LinkedHashMap<>(engine);
        checkpoint.put("classifier.weight", new Tensor(new long[] {2, 32}, new float[64]));
        Map<String, Tensor> checked = DenseNetWeights.checked(new DenseNet(DenseNetTest.tiny()), checkpoint);

        assertThat(random).isEqualTo(engine);
        assertThat(checked).isEqualTo(engine);
        assertThat(random.keySet()).containsExactlyElementsOf(engine.keySet());
        assertThat(DenseNetWeights.sha256(random)).isEqualTo(hash);
    }

    @Test
    void loadedWeightsHashLikeTheirSourceWhateverTheirNames() {
        DenseNet source = random(5);
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        DenseNetWeights.stateDict(source).forEach((name, tensor) -> checkpoint.put(
                name.replace(".norm1.", ".norm.1.").replace(".conv2.", ".conv.2."), tensor));
        // What torchvision checkpoints also hold; both must be ignored.
        checkpoint.put("features.norm0.num_batches_tracked", new Tensor(new long[] {}, new float[] {0}));
        checkpoint.put("classifier.weight", new Tensor(new long[] {2, 32}, new float[64]));
        DenseNet target = new DenseNet(DenseNetTest.tiny());

        String hash = DenseNetWeights.load(target, manager, checkpoint, StopCheck.NEVER);

        assertThat(checkpoint).containsKey("features.denseblock1.denselayer1.norm.1.weight");
        // Hashed from the checkpoint, read back from the engine, and from the source: all the same.
        assertThat(hash).isEqualTo(DenseNetWeights.sha256(target)).isEqualTo(DenseNetWeights.sha256(source));
    }

    @Test
    void missingMisshapedOrUnknownParametersAreRefusedByName() {
        Map<String, Tensor> good = DenseNetWeights.stateDict(random(7));
        DenseNet network = new DenseNet(DenseNetTest.tiny());

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("features.denseblock2.denselayer1.conv2.weight");
        assertThatThrownBy(() -> DenseNetWeights.load(network, manager, missing, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lack parameter features.denseblock2.denselayer1.conv2.weight");

        Map<String, Tensor> misshaped = new LinkedHashMap<>(good);
        misshaped.put("features.norm5.bias", new Tensor(new long[] {31}, new float[31]));
        assertThatThrownBy(() -> DenseNetWeights.load(network, manager, misshaped, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features.norm5.bias")
                .hasMessageContaining("(31)")
                .hasMessageContaining("(32)");

        Map<String, Tensor> extra = new LinkedHashMap<>(good);
        extra.put("features.denseblock3.denselayer1.conv1.weight", new Tensor(new long[] {1}, new float[1]));
        assertThatThrownBy(() -> DenseNetWeights.load(network, manager, extra, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features.denseblock3.denselayer1.conv1.weight");
    }

    @Test
    void weightsFromHeapArraysOrDirectBuffersLoadAsTheirSourceAndComputeTheSame() {
        DenseNet source = new DenseNet(DenseNetTest.tiny());
        String hash = DenseNetWeights.randomInit(source, manager, 3, StopCheck.NEVER);
        Map<String, Tensor> weights = DenseNetWeights.stateDict(source);
        // As WeightsFile reads a file's float32 tensors: over direct buffers, which the engine uses as they are.
        Map<String, Tensor> direct = new LinkedHashMap<>();
        weights.forEach((name, tensor) -> direct.put(name, Tensor.littleEndian(tensor.shape(), tensor.littleEndian())));
        DenseNet fromHeap = new DenseNet(DenseNetTest.tiny());
        DenseNet fromDirect = new DenseNet(DenseNetTest.tiny());

        assertThat(DenseNetWeights.load(fromHeap, manager, weights, StopCheck.NEVER)).isEqualTo(hash);
        assertThat(DenseNetWeights.load(fromDirect, manager, direct, StopCheck.NEVER)).isEqualTo(hash);
        assertThat(DenseNetWeights.stateDict(fromHeap)).isEqualTo(weights);
        assertThat(DenseNetWeights.stateDict(fromDirect)).isEqualTo(weights);
        assertThat(fromDirect.block().isInitialized()).isTrue();
        NDList images = new NDList(manager.randomNormal(new Shape(2, 3, 32, 32)));
        ParameterStore store = new ParameterStore(manager, false);
        float[] expected = source.block().forward(store, images, false).singletonOrThrow().toFloatArray();
        assertThat(fromHeap.block().forward(store, images, false).singletonOrThrow().toFloatArray())
                .containsExactly(expected);
        assertThat(fromDirect.block().forward(store, images, false).singletonOrThrow().toFloatArray())
                .containsExactly(expected);
    }

    private DenseNet random(long seed) {
        DenseNet network = new DenseNet(DenseNetTest.tiny());
        DenseNetWeights.randomInit(network, manager, seed, StopCheck.NEVER);
        return network;
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
