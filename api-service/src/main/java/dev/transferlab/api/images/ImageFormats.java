package dev.transferlab.api.images;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Tells images from other files by their first bytes, as javax.imageio's readers recognise them. Nothing is decoded
 * here: decoding is the worker's job, and it reports a corrupt image itself.
 */
public final class ImageFormats {
    /** What the worker decodes. WBMP is left out: its reader claims almost any bytes. */
    public static final Set<String> DATASET_FORMATS = Set.of("jpeg", "png", "gif", "bmp", "tiff");
    /** Enough for every reader's signature check. */
    public static final int HEADER_BYTES = 1024;
    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif",
            ".tiff");

    private ImageFormats() {
    }

    /** The format's lower-case name ("jpeg", "png", …), or empty when no reader recognises the bytes. */
    public static Optional<String> formatOf(byte[] header) {
        if (header == null || header.length == 0) {
            return Optional.empty();
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(header))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            while (readers.hasNext()) {
                String format = readers.next().getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("wbmp")) {
                    return Optional.of(format.equals("tif") ? "tiff" : format);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** By name only, for data registered in place, which is not read up front. */
    public static boolean hasImageName(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return IMAGE_SUFFIXES.stream().anyMatch(lower::endsWith);
    }
}
