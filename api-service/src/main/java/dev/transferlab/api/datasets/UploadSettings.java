package dev.transferlab.api.datasets;

import dev.transferlab.api.infra.ByteCount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;

/** What a dataset upload may hold, {@code transferlab.datasets.*}; going over any of it is refused with 413. */
@ConfigMapping(prefix = "transferlab.datasets")
public interface UploadSettings {

    /** The archive as sent. */
    @WithDefault("2G")
    @WithConverter(ByteCount.class)
    @Positive
    long maxUploadSize();

    /** All its files unpacked (archive bombs). */
    @WithDefault("8G")
    @WithConverter(ByteCount.class)
    @Positive
    long maxUnpackedSize();

    @WithDefault("64M")
    @WithConverter(ByteCount.class)
    @Positive
    long maxFileSize();

    @WithDefault("200000")
    @Positive
    int maxFiles();

    /** Entries of every kind, folders included. */
    @WithDefault("400000")
    @Positive
    int maxEntries();

    /** Fewer training images than this in a class is reported as a warning. */
    @WithDefault("10")
    @Positive
    int minImagesPerClass();

    default UploadLimits limits() {
        return new UploadLimits(maxUploadSize(), maxUnpackedSize(), maxFileSize(), maxFiles(), maxEntries(),
                minImagesPerClass());
    }
}
