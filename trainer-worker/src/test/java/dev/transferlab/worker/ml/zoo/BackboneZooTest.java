package dev.transferlab.worker.ml.zoo;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.ParityFixtures;
import dev.transferlab.worker.ml.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackboneZooTest {

    @Test
    void djlsOwnLookupFindsTheBackbonesByArtifactId() throws Exception {
        assertThat(ModelZoo.getModelZoo(BackboneZoo.GROUP_ID)).as("registered through ServiceLoader").isNotNull();

        // Nothing of ours but the artifact id: the zoo is found the way DJL finds any model.
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optArtifactId("densenet121").optArgument("randomSeed", 1).optDevice(Device.cpu()).build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            assertThat(model.getName()).isEqualTo("densenet121");
            assertThat(model.getProperty(Backbone.FEATURE_SIZE)).isEqualTo("1024");
            assertThat(model.getProperty(Backbone.SHA256)).hasSize(64);
        }
    }

    @Test
    void aCustomDenseNetTakesTorchvisionsKnobsAsArguments() throws Exception {
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optArtifactId("densenet").optArgument("growthRate", "8").optArgument("blockConfig", "2,2")
                .optArgument("numInitFeatures", 16).optArgument("bnSize", 2).optArgument("randomSeed", 1)
                .optDevice(Device.cpu()).build();
        try (Backbone backbone = new Backbone(criteria.loadModel())) {
            assertThat(backbone.featureSize()).isEqualTo(32);
        }
    }

    @Test
    void aTorchScriptModuleIsABackboneWithTheFeatureSizeItReports() {
        Map<String, Tensor> io = ParityFixtures.tensors("tiny-densenet-io.safetensors");
        Criteria<NDList, NDList> criteria = BackboneCriteria.torchScript(Device.cpu())
                .optArgument(BackboneCriteria.WEIGHTS, ParityFixtures.path("torchscript-tiny-densenet.pt")).build();

        try (Backbone backbone = BackboneCriteria.load(criteria)) {
            float[][] features = backbone.features(images(io.get("input")));

            assertThat(backbone.featureSize()).isEqualTo(32);
            float[] flat = new float[features.length * 32];
            for (int i = 0; i < features.length; i++) {
                System.arraycopy(features[i], 0, flat, i * 32, 32);
            }
            double diff = ParityFixtures.maxAbsDiff(flat, io.get("features").data());
            System.out.printf("TorchScript tiny DenseNet vs torchvision: max abs diff %.3g%n", diff);
            assertThat(diff).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void aTorchScriptModuleIsRefusedInFp16() {
        Criteria<NDList, NDList> criteria = BackboneCriteria.torchScript(Device.cpu())
                .optArgument(BackboneCriteria.WEIGHTS, ParityFixtures.path("torchscript-tiny-densenet.pt")).build();

        // Its parameters live inside the module, out of reach of the cast the DenseNets get.
        assertThatThrownBy(() -> BackboneCriteria.load(criteria, DataType.FLOAT16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TorchScript")
                .hasMessageContaining("use fp32");
    }

    @Test
    void aModuleThatDoesNotReturnFeatureVectorsIsRefusedWithItsShape() {
        Criteria<NDList, NDList> criteria = BackboneCriteria.torchScript(Device.cpu())
                .optArgument(BackboneCriteria.WEIGHTS, ParityFixtures.path("torchscript-not-a-backbone.pt")).build();

        assertThatThrownBy(() -> BackboneCriteria.load(criteria)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(1, 4, 222, 222)").hasMessageContaining("[N, D]");
    }

    @Test
    void backbonesAreNDListModelsOnly() {
        Criteria<float[], float[]> criteria = Criteria.builder().setTypes(float[].class, float[].class)
                .optGroupId(BackboneZoo.GROUP_ID).optArtifactId("densenet121").build();

        assertThatThrownBy(criteria::loadModel).hasMessageContaining("No model");
    }

    private static List<float[]> images(Tensor batch) {
        int size = Math.toIntExact(batch.data().length / batch.shape()[0]);
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < batch.shape()[0]; i++) {
            images.add(Arrays.copyOfRange(batch.data(), i * size, (i + 1) * size));
        }
        return images;
    }
}
