package dev.transferlab.worker.backbone;

import java.util.Optional;

/**
 * This worker's backbone configuration.
 *
 * @param denseNet121Weights where torchvision's DenseNet121 weights are: https URL, s3:// or file path, in any of the
 *                           formats {@link dev.transferlab.worker.ml.weights.WeightsFile} reads
 * @param denseNet121Sha256  the full SHA-256 that file must have, when pinned
 * @param allowRandom        whether a backbone may get random weights when none are configured (demos, tests)
 * @param randomSeed         the seed of those weights, recorded so inference rebuilds the same backbone
 */
public record BackboneSettings(Optional<String> denseNet121Weights, Optional<String> denseNet121Sha256,
                               boolean allowRandom, long randomSeed) {

    public BackboneSettings {
        denseNet121Weights = denseNet121Weights.filter(w -> !w.isBlank());
        denseNet121Sha256 = denseNet121Sha256.filter(w -> !w.isBlank());
    }
}
