package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.PositiveOrZero;

import java.time.Duration;

/** How jobs compute features, {@code transferlab.features.*} (README, "Batch size and precision"). */
@ConfigMapping(prefix = "transferlab.features")
public interface FeatureConfig {

    /**
     * Images per backbone batch in jobs. auto: calibrated when the worker starts, on DenseNet121 on this worker's
     * device and precision (candidates 1 to 32 on a CPU, to 256 on a GPU, within 5 s, stopping at the first batch
     * that does not fit in memory; the table is logged); a positive integer pins it, as tests and benchmarks do so
     * that their figures repeat. {@code FeatureSettings.pinnedBatchSize} refuses anything else at start.
     */
    @WithDefault("auto")
    String batchSize();

    /**
     * fp32, or fp16 (parameters and inputs cast, features back in float32; slower than fp32 on a CPU). bf16 is
     * refused: DJL 0.33 cannot convert tensors to it.
     */
    @WithDefault("fp32")
    String precision();

    /** Threads that read, decode and resize images while the backbone runs; 0 means one per core. */
    @WithDefault("0")
    @PositiveOrZero
    int decodeThreads();

    /** The shortest time between two extraction-progress events of a job. */
    @WithDefault("2s")
    Duration progressInterval();
}
