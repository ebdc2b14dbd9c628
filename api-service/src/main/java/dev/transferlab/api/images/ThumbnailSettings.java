package dev.transferlab.api.images;

import dev.transferlab.api.infra.ByteCount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

/** What a thumbnail may be made of, {@code transferlab.thumbnails.*}; anything else is refused with a problem. */
@ConfigMapping(prefix = "transferlab.thumbnails")
public interface ThumbnailSettings {

    /** The largest file read. */
    @WithDefault("16M")
    @WithConverter(ByteCount.class)
    @Positive
    long maxSourceBytes();

    /** The largest image decoded, checked from its header first. */
    @WithDefault("25000000")
    @Positive
    long maxPixels();

    @WithDefault("2")
    @Positive
    int concurrentDecodes();
}
