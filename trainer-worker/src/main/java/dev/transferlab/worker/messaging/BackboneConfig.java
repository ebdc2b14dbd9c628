package dev.transferlab.worker.messaging;

import dev.transferlab.worker.backbone.BackboneSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The worker's backbone settings, {@code transferlab.backbone.*} (beside common's {@code BackboneLimits}, the same
 * prefix's size limits).
 */
@ConfigMapping(prefix = "transferlab.backbone")
public interface BackboneConfig {

    /**
     * torchvision's DenseNet121 weights: an https URL (such as
     * https://download.pytorch.org/models/densenet121-a639ec97.pth), an s3:// location or a file path; torch legacy,
     * torch zip or safetensors. Fetched once, verified against the hash in the file name (or {@link #weightsSha256}),
     * and kept in the platform bucket under backbones/sha256/<hex> for every worker.
     */
    Optional<String> weights();

    Optional<String> weightsSha256();

    /** Where this worker keeps verified weights on disk (unset: {@code <java.io.tmpdir>/transferlab-backbones}). */
    Optional<String> cacheDir();

    /** Without weights a backbone can only be random: allowed only when asked for, then said in every event. */
    @WithDefault("false")
    boolean allowRandomWeights();

    @WithDefault("0")
    long randomSeed();

    /**
     * The hosts a job's own torchscript weights may be downloaded from (exact names). Unset: a job's weights must
     * already be in object storage (s3://). Jobs are user input; this keeps them from steering the worker's HTTP
     * client at internal addresses. Redirects are followed only from https to https.
     */
    Optional<List<String>> jobWeightsHosts();

    /**
     * Whether a training worker builds DenseNet121 with its configured weights (or its random ones, where allowed) as
     * it starts, in the background, rather than at its first job.
     */
    @WithDefault("true")
    boolean preload();

    default BackboneSettings settings() {
        return new BackboneSettings(weights(), weightsSha256(), allowRandomWeights(), randomSeed(),
                jobWeightsHosts().orElse(List.of()));
    }
}
