package dev.transferlab.worker.messaging;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Image decoding, {@code transferlab.decode.*}: checked, before any pixel is decoded, against what the image's header
 * declares it will allocate (pixels x bytes per pixel of the decoded raster, the RGB result and any copy: about 7
 * bytes per pixel for an RGB JPEG, 10 for a 16-bit RGB PNG).
 */
@ConfigMapping(prefix = "transferlab.decode")
public interface DecodeConfig {

    /** One image at most (512M: a 76-megapixel RGB JPEG); larger ones are skipped in a dataset, 413 in predictions. */
    @WithDefault("512M")
    MemorySize maxImageBytes();

    /**
     * What all decodes at once (a job's decoding threads and the predictions) share, waiting for each other beyond
     * it; 0 means half the heap.
     */
    @WithDefault("0")
    MemorySize budgetBytes();
}
