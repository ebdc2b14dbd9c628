package dev.transferlab.worker.ml.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/** Found by DJL through {@code META-INF/services/ai.djl.repository.zoo.ZooProvider}. */
public final class BackboneZooProvider implements ZooProvider {

    @Override
    public ModelZoo getModelZoo() {
        return new BackboneZoo();
    }
}
