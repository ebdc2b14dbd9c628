package dev.transferlab.api.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** How the api-service streams a job's events, {@code transferlab.sse.*}. */
@ConfigMapping(prefix = "transferlab.sse")
public interface SseSettings {

    /** A comment line this often keeps proxies from closing idle streams. */
    @WithDefault("15s")
    Duration heartbeatInterval();

    /**
     * Events a client may fall behind before its stream is ended (it can reconnect with Last-Event-ID), so that it
     * never holds up anyone else.
     */
    @WithDefault("1024")
    @Min(1)
    int clientBuffer();
}
