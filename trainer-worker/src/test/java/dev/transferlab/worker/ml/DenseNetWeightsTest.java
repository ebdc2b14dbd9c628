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
        DenseNet a = initialised(DenseNetTest.tiny());
        DenseNet b = initialised(DenseNetTest.tiny());
        DenseNetWeights.randomInit(a, 42, StopCheck.NEVER);
        DenseNetWeights.randomInit(b, 42, StopCheck.NEVER);
        String first = DenseNetWeights.sha256(a);
        assertThat(first).hasSize(64).isEqualTo(DenseNetWeights.sha256(b));
        DenseNetWeights.randomInit(b, 43, StopCheck.NEVER);
        assertThat(DenseNetWeights.sha256(b)).isNotEqualTo(first);

        Map<String, Tensor> weights = DenseNetWeights.stateDict(a);
        // kaiming-normal: std sqrt(2 / fan_in); conv0 has fan_in 3*7*7
        assertThat(std(weights.get("features.conv0.weight").data())).isCloseTo(Math.sqrt(2.0 / 147), within(0.01));
        assertThat(weights.get("features.norm0.weight").data()).containsOnly(1f);
        assertThat(weights.get("features.norm0.running_mean").data()).containsOnly(0f);
    }

    @Test
    void theHeapStateDictsAreTheWeightsTheEngineGets() {
        DenseNet network = initialised(DenseNetTest.tiny());
        String hash = DenseNetWeights.randomInit(network, 11, StopCheck.NEVER);
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
        DenseNet source = initialised(DenseNetTest.tiny());
        DenseNetWeights.randomInit(source, 5, StopCheck.NEVER);
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        DenseNetWeights.stateDict(source).forEach((name, tensor) -> checkpoint.put(
                name.replace(".norm1.", ".norm.1.").replace(".conv2.", ".conv.2."), tensor));
        // What torchvision checkpoints also hold; both must be ignored.
        checkpoint.put("features.norm0.num_batches_tracked", new Tensor(new long[] {}, new float[] {0}));
        checkpoint.put("classifier.weight", new Tensor(new long[] {2, 32}, new float[64]));
        DenseNet target = initialised(DenseNetTest.tiny());

        String hash = DenseNetWeights.load(target, checkpoint, StopCheck.NEVER);

        assertThat(checkpoint).containsKey("features.denseblock1.denselayer1.norm.1.weight");
        // Hashed from the checkpoint, read back from the engine, and from the source: all the same.
        assertThat(hash).isEqualTo(DenseNetWeights.sha256(target)).isEqualTo(DenseNetWeights.sha256(source));
    }

    @Test
    void missingMisshapedOrUnknownParametersAreRefusedByName() {
        DenseNet network = initialised(DenseNetTest.tiny());
        DenseNetWeights.randomInit(network, 7, StopCheck.NEVER);
        Map<String, Tensor> good = DenseNetWeights.stateDict(network);

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("features.denseblock2.denselayer1.conv2.weight");
        assertThatThrownBy(() -> DenseNetWeights.load(network, missing, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lack parameter features.denseblock2.denselayer1.conv2.weight");

        Map<String, Tensor> misshaped = new LinkedHashMap<>(good);
        misshaped.put("features.norm5.bias", new Tensor(new long[] {31}, new float[31]));
        assertThatThrownBy(() -> DenseNetWeights.load(network, misshaped, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features.norm5.bias")
                .hasMessageContaining("(31)")
                .hasMessageContaining("(32)");

        Map<String, Tensor> extra = new LinkedHashMap<>(good);
        extra.put("features.denseblock3.denselayer1.conv1.weight", new Tensor(new long[] {1}, new float[1]));
        assertThatThrownBy(() -> DenseNetWeights.load(network, extra, StopCheck.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features.denseblock3.denselayer1.conv1.weight");
    }

    @Test
    void weightsInitialisingTheNetworkAreThoseWrittenIntoItsZerosAndComputeTheSame() {
        DenseNet written = initialised(DenseNetTest.tiny());
        String hash = DenseNetWeights.randomInit(written, 3, StopCheck.NEVER);
        Map<String, Tensor> weights = DenseNetWeights.stateDict(written);
        DenseNet random = new DenseNet(DenseNetTest.tiny());
        DenseNet loaded = new DenseNet(DenseNetTest.tiny());

        assertThat(DenseNetWeights.randomInit(random, manager, 3, StopCheck.NEVER)).isEqualTo(hash);
        assertThat(DenseNetWeights.load(loaded, manager, weights, StopCheck.NEVER)).isEqualTo(hash);
        assertThat(DenseNetWeights.stateDict(random)).isEqualTo(weights);
        assertThat(DenseNetWeights.stateDict(loaded)).isEqualTo(weights);
        assertThat(loaded.block().isInitialized()).isTrue();
        NDList images = new NDList(manager.randomNormal(new Shape(2, 3, 32, 32)));
        ParameterStore store = new ParameterStore(manager, false);
        assertThat(loaded.block().forward(store, images, false).singletonOrThrow().toFloatArray())
                .containsExactly(written.block().forward(store, images, false).singletonOrThrow().toFloatArray());
    }

    private DenseNet initialised(BackboneSpec spec) {
        DenseNet network = new DenseNet(spec);
        network.initialize(manager, StopCheck.NEVER);
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
