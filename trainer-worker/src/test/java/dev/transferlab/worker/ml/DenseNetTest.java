package dev.transferlab.worker.ml;

import ai.djl.ndarray.types.Shape;
import dev.transferlab.common.messages.BackboneSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DenseNetTest {

    @Test
    void densenet121HasTorchvisionsStateDictNamesAndShapes() {
        Map<String, Shape> shapes = new DenseNet(BackboneSpec.densenet121()).torchvisionShapes();

        // conv0 1 + norm0 4 + 58 dense layers x (2 BatchNorms x 4 + 2 convs) + 3 transitions x 5 + norm5 4
        assertThat(shapes).hasSize(1 + 4 + 58 * 10 + 3 * 5 + 4);
        assertThat(shapes.get("features.conv0.weight")).isEqualTo(new Shape(64, 3, 7, 7));
        assertThat(shapes.get("features.norm0.running_var")).isEqualTo(new Shape(64));
        assertThat(shapes.get("features.denseblock1.denselayer1.conv1.weight")).isEqualTo(new Shape(128, 64, 1, 1));
        assertThat(shapes.get("features.denseblock2.denselayer12.norm1.weight")).isEqualTo(new Shape(480));
        assertThat(shapes.get("features.transition1.norm.weight")).isEqualTo(new Shape(256));
        assertThat(shapes.get("features.transition3.conv.weight")).isEqualTo(new Shape(512, 1024, 1, 1));
        assertThat(shapes.get("features.denseblock4.denselayer16.conv2.weight")).isEqualTo(new Shape(32, 128, 3, 3));
        assertThat(shapes.get("features.norm5.weight")).isEqualTo(new Shape(1024));
        assertThat(shapes.keySet()).noneMatch(name -> name.startsWith("classifier") || name.contains("num_batches"));
        assertThat(shapes.keySet()).startsWith("features.conv0.weight", "features.norm0.weight",
                "features.norm0.bias", "features.norm0.running_mean", "features.norm0.running_var",
                "features.denseblock1.denselayer1.norm1.weight");
        assertThat(shapes.keySet()).endsWith("features.norm5.running_var");
    }

    @Test
    void parameterMapCoversEveryDjlParameterOnce() {
        DenseNet network = new DenseNet(tiny());

        assertThat(network.torchvisionParameters().keySet()).isEqualTo(network.torchvisionShapes().keySet());
        assertThat(network.torchvisionParameters().values())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(network.block().getParameters().values());
    }

    @Test
    void featureSizeFollowsTheSpec() {
        assertThat(new DenseNet(BackboneSpec.densenet121()).featureSize()).isEqualTo(1024);
        // 16 + 2*8 = 32, halved to 16, + 2*8 = 32
        assertThat(new DenseNet(tiny()).featureSize()).isEqualTo(32);
    }

    static BackboneSpec tiny() {
        return new BackboneSpec("tiny-densenet", 8, List.of(2, 2), 16, 2);
    }
}
