package dev.transferlab.api.models;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.images.ImageFormats;

import java.util.Set;

/**
 * Refuses what is not a JPEG or PNG before it travels to a worker. Only the header is read: decoding is the worker's
 * job, and it reports a corrupt body itself.
 */
final class ImageCheck {
    private static final Set<String> FORMATS = Set.of("jpeg", "png");

    private ImageCheck() {
    }

    static void requireImage(byte[] bytes, long maxBytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ProblemException(415, "Unsupported Media Type", "the body is empty; send a JPEG or PNG image");
        }
        if (bytes.length > maxBytes) {
            throw new ProblemException(413, "Content Too Large",
                    "the image is " + bytes.length + " bytes; the limit is " + maxBytes);
        }
        String format = ImageFormats.formatOf(bytes).orElse(null);
        if (format == null || !FORMATS.contains(format)) {
            throw new ProblemException(415, "Unsupported Media Type",
                    "the body is not a JPEG or PNG image" + (format == null ? "" : " (it is " + format + ")"));
        }
    }
}
