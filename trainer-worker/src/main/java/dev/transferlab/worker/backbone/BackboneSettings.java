package dev.transferlab.worker.backbone;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * This worker's backbone configuration.
 *
 * @param denseNet121Weights where torchvision's DenseNet121 weights are: https URL, s3:// or file path, in any of the
 *                           formats {@link dev.transferlab.worker.ml.weights.WeightsFile} reads
 * @param denseNet121Sha256  the full SHA-256 that file must have, when pinned
 * @param allowRandom        whether a backbone may get random weights when none are configured (demos, tests)
 * @param randomSeed         the seed of those weights, recorded so inference rebuilds the same backbone
 * @param jobWeightsHosts    the only hosts a job's own https weights may come from; a job is user input, and an
 *                           open fetch would let it reach whatever the worker's network can (cloud metadata, internal
 *                           services)
 */
public record BackboneSettings(Optional<String> denseNet121Weights, Optional<String> denseNet121Sha256,
                               boolean allowRandom, long randomSeed, List<String> jobWeightsHosts) {

    public BackboneSettings {
        denseNet121Weights = denseNet121Weights.filter(w -> !w.isBlank());
        denseNet121Sha256 = denseNet121Sha256.filter(w -> !w.isBlank());
        jobWeightsHosts = jobWeightsHosts.stream().map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }
}
