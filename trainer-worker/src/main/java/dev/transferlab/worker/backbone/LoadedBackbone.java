package dev.transferlab.worker.backbone;

import dev.transferlab.worker.ml.Backbone;

/**
 * A backbone ready to use, with where its weights are and their hash, as recorded in model manifests.
 *
 * @param weightsSource the weights' content address ({@code s3://…/backbones/sha256/<hex>}), or
 *                      {@code random-init:seed=N} for reproducible random weights
 * @param sha256        the backbone's {@link Backbone#sha256()}
 * @param origin        where the weights were first fetched from, for people reading events and logs
 */
public record LoadedBackbone(Backbone backbone, String weightsSource, String sha256, String origin) {

    public boolean isRandom() {
        return weightsSource.startsWith(BackboneProvider.RANDOM_PREFIX);
    }
}
