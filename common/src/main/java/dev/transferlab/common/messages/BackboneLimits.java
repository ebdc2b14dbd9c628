package dev.transferlab.common.messages;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

/**
 * The largest backbone a job may ask for, {@code transferlab.backbone.max-*}, which both services check (the api
 * before it accepts a job, a worker before it builds one). The defaults are about four times densenet121 (6.95M
 * parameters, 2.83 GFLOPs), so torchvision's 121, 161, 169 and 201 fit.
 */
@ConfigMapping(prefix = "transferlab.backbone")
public interface BackboneLimits {

    /** Parameters of the feature extractor. */
    @WithDefault("32000000")
    @Min(1)
    long maxParameters();

    /** Multiply-adds of one 224x224 forward pass, in billions. */
    @WithDefault("12")
    @Positive
    double maxGflops();

    default BackboneBudget budget() {
        return new BackboneBudget(maxParameters(), maxGflops() * 1e9);
    }
}
