package dev.transferlab.worker.backbone;

import dev.transferlab.worker.ml.Backbone;

/**
 * A backbone ready to use, with where its weights came from and their hash, as recorded in model manifests.
 *
 * @param weightsSource a location, or {@code random-init:seed=N} for reproducible random weights
 */
public record LoadedBackbone(Backbone backbone, String weightsSource, String sha256) {

    public boolean isRandom() {
        return weightsSource.startsWith(BackboneProvider.RANDOM_PREFIX);
    }
}
