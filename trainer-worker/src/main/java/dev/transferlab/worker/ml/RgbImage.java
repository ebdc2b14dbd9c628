package dev.transferlab.worker.ml;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** A decoded image as 8-bit RGB, packed 0xRRGGBB per pixel, row-major. */
record RgbImage(int width, int height, int[] pixels) {

    // PIL refuses images above this many pixels as decompression bombs; a real photo is far smaller.
    static final long MAX_PIXELS = 178_956_970L;

    int channel(int index, int channel) {
        return (pixels[index] >> (16 - 8 * channel)) & 0xff;
    }

    /** Decodes whatever javax.imageio reads (JPEG, PNG, GIF, BMP, TIFF) and converts it to RGB. */
    static RgbImage decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw new InvalidImageException("the image is empty (0 bytes); upload a JPEG or PNG file");
        }
        // A memory-cached stream: ImageIO's default may spill to a temporary file per image.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException("the data (" + encoded.length
                        + " bytes) is not in a known image format; upload a JPEG or PNG file");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || pixels == 0) {
                    throw new InvalidImageException("the image is " + reader.getWidth(0) + "x"
                            + reader.getHeight(0) + " pixels; images must have between 1 and " + MAX_PIXELS
                            + " pixels");
                }
                BufferedImage image = reader.read(0);
                refuseTruncation(warnings);
                return fromBufferedImage(image);
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("the image could not be decoded (" + e.getMessage()
                    + "); it may be truncated or corrupt, or use an unsupported variant such as CMYK JPEG."
                    + " Re-save it as an RGB JPEG or PNG", e);
        }
    }

    /**
     * The JPEG reader fills a cut-off image with grey and only warns; PIL refuses such files, and so do we. Other
     * warnings (such as stray bytes before a marker, common in real photo sets) are tolerated, as PIL tolerates them.
     */
    private static void refuseTruncation(List<String> warnings) {
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end")) {
                throw new InvalidImageException("the image is truncated or corrupt (" + warning
                        + "); upload the complete file");
            }
        }
    }

    /**
     * Like PIL's convert("RGB"): grey is replicated, a palette is looked up, alpha is dropped without compositing.
     * Samples are read from the raster rather than through Java's colour management, which would re-map grey
     * (Java treats it as linear) and embedded ICC profiles, where PIL keeps the stored values.
     */
    static RgbImage fromBufferedImage(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        int spaceType = model.getColorSpace().getType();
        if (model instanceof IndexColorModel) {
            return new RgbImage(width, height, image.getRGB(0, 0, width, height, null, 0, width));
        }
        Raster raster = image.getRaster();
        if (spaceType == ColorSpace.TYPE_GRAY) {
            int[] grey = toEightBits(raster.getSamples(0, 0, width, height, 0, (int[]) null), model.getComponentSize(0));
            int[] pixels = new int[grey.length];
            for (int i = 0; i < grey.length; i++) {
                pixels[i] = grey[i] << 16 | grey[i] << 8 | grey[i];
            }
            return new RgbImage(width, height, pixels);
        }
        if (spaceType == ColorSpace.TYPE_RGB && model.getNumColorComponents() == 3) {
            int[] pixels = new int[width * height];
            for (int band = 0; band < 3; band++) {
                int[] samples = toEightBits(raster.getSamples(0, 0, width, height, band, (int[]) null),
                        model.getComponentSize(band));
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] |= samples[i] << (16 - 8 * band);
                }
            }
            return new RgbImage(width, height, pixels);
        }
        return new RgbImage(width, height, image.getRGB(0, 0, width, height, null, 0, width));
    }

    private static int[] toEightBits(int[] samples, int bits) {
        if (bits == 8) {
            return samples;
        }
        for (int i = 0; i < samples.length; i++) {
            samples[i] = bits > 8 ? samples[i] >>> (bits - 8) : Math.round(samples[i] * 255f / ((1 << bits) - 1));
        }
        return samples;
    }
}
