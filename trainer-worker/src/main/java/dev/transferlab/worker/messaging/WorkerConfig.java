package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;

/**
 * What this worker does, {@code transferlab.worker.training} and {@code .inference}: a role that is off has its Kafka
 * channels disabled, so its consumers never join their groups; at least one must be on ({@link WorkerRoles}).
 * application.properties holds the values, since the channels' settings are derived from them there.
 */
@ConfigMapping(prefix = "transferlab.worker")
public interface WorkerConfig {

    boolean training();

    boolean inference();
}
