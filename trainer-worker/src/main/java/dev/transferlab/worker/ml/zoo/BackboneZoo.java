package dev.transferlab.worker.ml.zoo;

import ai.djl.repository.zoo.ModelZoo;

import java.util.Set;

/**
 * The backbones as a DJL model zoo, so {@code Criteria} finds them by artifact id like any other DJL model:
 * {@code densenet121} (torchvision's), {@code densenet} (torchvision's DenseNet class with other knobs) and
 * {@code torchscript} (bring your own module). Registered through {@link BackboneZooProvider}.
 */
public final class BackboneZoo extends ModelZoo {

    public static final String GROUP_ID = "dev.transferlab.backbones";

    public BackboneZoo() {
        addModel(new DenseNetLoader(DenseNetLoader.DENSENET121));
        addModel(new DenseNetLoader(DenseNetLoader.DENSENET));
        addModel(new TorchScriptLoader());
    }

    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of("PyTorch");
    }
}
