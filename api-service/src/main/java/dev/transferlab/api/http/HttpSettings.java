package dev.transferlab.api.http;

import dev.transferlab.api.infra.ByteCount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

/** {@code transferlab.http.*}. */
@ConfigMapping(prefix = "transferlab.http")
public interface HttpSettings {

    /**
     * The largest body of any request but a dataset upload (JSON commands, images for predictions), which
     * {@link RequestSizeLimits} refuses past it with a problem+json 413.
     */
    @WithDefault("8M")
    @WithConverter(ByteCount.class)
    @Positive
    long maxBodySize();
}
