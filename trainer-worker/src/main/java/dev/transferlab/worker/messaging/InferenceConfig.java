package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

import java.time.Duration;

/**
 * How the worker answers predictions, {@code transferlab.inference.*}. They are decoded on their own pool
 * ({@link InferencePool}), never on the connector's threads or training's: {@link #threads} at once, {@link #queueSize}
 * more waiting (their sum is how many requests a worker has in flight), each answered by its deadline (the api's, or
 * {@link #timeout} after it arrived, whichever is sooner). Liveness goes DOWN only when every inference thread has held
 * one request for longer than {@link #stallAfter} (it ignored the interruption at its deadline), or one forward pass
 * has run that long.
 */
@ConfigMapping(prefix = "transferlab.inference")
public interface InferenceConfig {

    @WithDefault("2")
    @Positive
    int threads();

    @WithDefault("32")
    @Positive
    int queueSize();

    @WithDefault("30s")
    Duration timeout();

    @WithDefault("5m")
    Duration stallAfter();

    /** Models kept loaded; the least recently used beyond it are unloaded once their running predictions end. */
    @WithDefault("8")
    @Positive
    int modelCacheSize();

    Batching batching();

    /**
     * Dynamic batching (DynamicBatcher): decoded requests for one model share one forward pass, up to
     * max-batch-size, waiting at most max-delay for the batch to fill. Chosen by bench/serving.sh on 2 CPU cores
     * (README, "Serving").
     */
    interface Batching {
        @WithDefault("8")
        @Positive
        int maxBatchSize();

        @WithDefault("0ms")
        Duration maxDelay();
    }
}
