package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/** Sweeps, {@code transferlab.sweeps.*}. */
@ConfigMapping(prefix = "transferlab.sweeps")
public interface SweepConfig {

    /**
     * Trials this worker trains at once, of any sweep: its consumers of the sweep-trials topic. They take turns for
     * their training batches (DJL records one gradient at a time per process) and overlap the rest: validation,
     * checkpoints, storage. The default fits two cores.
     */
    @WithDefault("2")
    @Min(1)
    int parallelism();
}
