package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.StorageLayout;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where backbone weights come from: an http(s) URL, an {@code s3://} location, or a file path, and what their name
 * says their SHA-256 is. torchvision names its files {@code <model>-<first hex digits of the SHA-256>.pth}; a content
 * address ({@code backbones/sha256/<hex>}) names the whole hash.
 */
record WeightsLocation(String source, Kind kind) {

    enum Kind { HTTP, S3, FILE }

    private static final Pattern FULL_HASH = Pattern.compile("[0-9a-f]{64}");
    // torchvision's HASH_REGEX is -([a-f0-9]*)\. ; fewer than 8 digits would be a version number, not a hash.
    private static final Pattern HASH_IN_NAME = Pattern.compile("-([0-9a-f]{8,64})\\.[^/]*$");

    static WeightsLocation parse(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("no weights location given");
        }
        String trimmed = source.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            URI.create(trimmed); // refuses a malformed URL here rather than at download time
            return new WeightsLocation(trimmed, Kind.HTTP);
        }
        if (lower.startsWith("s3://")) {
            return new WeightsLocation(trimmed, Kind.S3);
        }
        if (trimmed.contains("://")) {
            throw new IllegalArgumentException("weights location '" + trimmed + "' has an unsupported scheme; use "
                    + "https://, s3:// or a file path");
        }
        return new WeightsLocation(Path.of(trimmed).toString(), Kind.FILE);
    }

    /** The whole SHA-256 when the location is a content address, else the hex prefix in a torchvision-style name. */
    Optional<String> hashFromName() {
        String path = kind == Kind.HTTP ? URI.create(source).getPath() : source;
        int at = path.indexOf(StorageLayout.BACKBONE_WEIGHTS_PREFIX);
        if (at >= 0 && FULL_HASH.matcher(path.substring(at + StorageLayout.BACKBONE_WEIGHTS_PREFIX.length()))
                .matches()) {
            return Optional.of(path.substring(at + StorageLayout.BACKBONE_WEIGHTS_PREFIX.length()));
        }
        Matcher matcher = HASH_IN_NAME.matcher(path);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static boolean isFullHash(String hex) {
        return hex != null && FULL_HASH.matcher(hex).matches();
    }

    @Override
    public String toString() {
        return source;
    }
}
