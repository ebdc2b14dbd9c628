package dev.transferlab.worker.ml.zoo;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Criteria that find the backbones in {@link BackboneZoo}, and the step from a Criteria to a {@link Backbone}. */
public final class BackboneCriteria {

    /** A local file: the DenseNet's weights (legacy, zip or safetensors) or the TorchScript module. */
    public static final String WEIGHTS = "weights";
    /** Seed of reproducible random DenseNet weights, when no weights file is given. */
    public static final String RANDOM_SEED = "randomSeed";
    /**
     * A {@link dev.transferlab.worker.ml.StopCheck} asked between the layers and parameters of a DenseNet being built
     * (a TorchScript module loads in one native call); its exception ends the load and comes out of it unchanged.
     */
    public static final String STOP_CHECK = "stopCheck";
    /** Side of the square images a TorchScript backbone is probed with to read its feature size (default 224). */
    public static final String INPUT_SIZE = "inputSize";

    private BackboneCriteria() {
    }

    /** torchvision's DenseNet121, or a DenseNet with other knobs; add {@link #WEIGHTS} or {@link #RANDOM_SEED}. */
    public static Criteria.Builder<NDList, NDList> denseNet(BackboneSpec spec, Device device) {
        Criteria.Builder<NDList, NDList> builder = base(device);
        if (spec.isStandardDenseNet121()) {
            return builder.optArtifactId(DenseNetLoader.DENSENET121);
        }
        return builder.optArtifactId(DenseNetLoader.DENSENET)
                .optArgument("growthRate", spec.growthRate())
                .optArgument("blockConfig", spec.blockConfig())
                .optArgument("numInitFeatures", spec.numInitFeatures())
                .optArgument("bnSize", spec.bnSize());
    }

    /** A TorchScript module; add {@link #WEIGHTS}. */
    public static Criteria.Builder<NDList, NDList> torchScript(Device device) {
        return base(device).optArtifactId(TorchScriptLoader.TORCHSCRIPT);
    }

    /** A DenseNet with reproducible random weights, for tests and benchmarks. */
    public static Backbone randomDenseNet(BackboneSpec spec, Device device, long seed) {
        return load(denseNet(spec, device).optArgument(RANDOM_SEED, seed).build());
    }

    /** Loads the model the criteria find and wraps it as a float32 backbone. */
    public static Backbone load(Criteria<NDList, NDList> criteria) {
        return load(criteria, DataType.FLOAT32);
    }

    /** Loads the model the criteria find and wraps it as a backbone computing in {@code precision}. */
    public static Backbone load(Criteria<NDList, NDList> criteria, DataType precision) {
        try {
            return new Backbone(criteria.loadModel(), precision);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Criteria.Builder<NDList, NDList> base(Device device) {
        return Criteria.builder().setTypes(NDList.class, NDList.class).optGroupId(BackboneZoo.GROUP_ID)
                .optEngine("PyTorch").optDevice(device);
    }
}
