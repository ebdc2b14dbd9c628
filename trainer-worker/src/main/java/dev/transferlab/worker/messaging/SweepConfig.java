package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.PositiveOrZero;

/** Sweeps, {@code transferlab.sweeps.*}. */
@ConfigMapping(prefix = "transferlab.sweeps")
public interface SweepConfig {

    /**
     * Trials of a sweep trained at once on this worker (0: one per core). They take turns for their training batches
     * (DJL records one gradient at a time per process) and overlap the rest: validation, checkpoints, storage.
     */
    @WithDefault("0")
    @PositiveOrZero
    int parallelism();
}
