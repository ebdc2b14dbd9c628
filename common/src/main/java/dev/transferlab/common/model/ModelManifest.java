package dev.transferlab.common.model;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;

import java.time.Instant;
import java.util.List;

/**
 * A trained model: everything needed to rebuild the classifier and to judge it. Stored as JSON beside the head
 * weights; {@code backboneWeights} names the exact backbone parameters the head was trained on.
 *
 * @param backboneWeights where the backbone's weights came from, e.g. {@code s3://…} or {@code random-init:seed=7}
 * @param backboneSha256  SHA-256 over the backbone's parameters in torchvision's order, so a changed backbone is
 *                        detected rather than silently giving wrong predictions
 * @param bestEpoch       the epoch whose head weights are stored: the lowest validation loss, never chosen on test
 * @param metrics         every epoch's, as their epoch-completed events gave them
 * @param testImages      how many images the stored model was tested on, once, after it was chosen
 * @param scores          the stored model's validation and test figures beside the last epoch's; null in models
 *                        stored before the platform wrote them
 */
public record ModelManifest(
        int schemaVersion,
        String modelId,
        String jobId,
        String tenant,
        Instant createdAt,
        List<String> classes,
        BackboneSpec backbone,
        String backboneWeights,
        String backboneSha256,
        PreprocessingSpec preprocessing,
        Hyperparameters hyperparameters,
        String dataset,
        int trainImages,
        int validationImages,
        int bestEpoch,
        List<EpochMetrics> metrics,
        String headWeights,
        int testImages,
        ModelScores scores) {
}
