package dev.transferlab.api.models;

import dev.transferlab.api.infra.ByteCount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

/** The api's limits on predictions, {@code transferlab.inference.*}. */
@ConfigMapping(prefix = "transferlab.inference")
public interface InferenceSettings {

    /** Larger images get 413. */
    @WithDefault("5242880")
    @Positive
    long maxImageBytes();

    /** The most "images" parts of one multipart prediction (more: 413); each is its own prediction. */
    @WithDefault("32")
    @Positive
    int maxImagesPerRequest();

    /**
     * Larger images are written to object storage and only their key travels to the worker (a claim check); smaller
     * ones travel inline, as base64, so {@link ClaimChecks} checks at start that they fit the producer's
     * max.request.size.
     */
    @WithDefault("256K")
    @WithConverter(ByteCount.class)
    long claimCheckThreshold();
}
