package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

/** Batch prediction jobs, {@code transferlab.batch-predictions.*}. */
@ConfigMapping(prefix = "transferlab.batch-predictions")
public interface BatchPredictionConfig {

    /**
     * Images per part of a job's results: a resumed job repeats at most one part's work, and progress events come
     * once per part.
     */
    @WithDefault("64")
    @Positive
    int partSize();
}
