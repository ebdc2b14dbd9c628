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

    /**
     * The image as it is meant to be seen, given its EXIF orientation (1 to 8): the transposition PIL's
     * ImageOps.exif_transpose applies, e.g. 6 (camera held upright) turns the stored image 90 degrees clockwise.
     */
    RgbImage oriented(int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return this;
        }
        boolean swaps = orientation >= 5;
        int outWidth = swaps ? height : width;
        int outHeight = swaps ? width : height;
        int[] out = new int[pixels.length];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = width - 1 - x; sy = y; }
                    case 3 -> { sx = width - 1 - x; sy = height - 1 - y; }
                    case 4 -> { sx = x; sy = height - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = height - 1 - x; }
                    case 7 -> { sx = width - 1 - y; sy = height - 1 - x; }
                    default -> { sx = width - 1 - y; sy = x; }
                }
                out[y * outWidth + x] = pixels[sy * width + sx];
            }
        }
        return new RgbImage(outWidth, outHeight, out);
    }

    int channel(int index, int channel) {
        return (pixels[index] >> (16 - 8 * channel)) & 0xff;
    }

    /**
     * Decodes whatever javax.imageio reads (JPEG, CMYK and YCCK JPEG included, PNG, GIF, BMP, TIFF), converts it to
     * RGB as PIL's convert("RGB") does, and turns it as its EXIF orientation says.
     */
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
                RgbImage image;
                if (CmykJpeg.is(encoded)) {
                    // Java's JPEG decoder has no CMYK colour model; it can only hand over the raw samples.
                    java.awt.image.Raster raster = reader.readRaster(0, null);
                    refuseTruncation(warnings);
                    image = CmykJpeg.toRgb(raster, CmykJpeg.isYcck(encoded));
                } else {
                    BufferedImage decoded = reader.read(0);
                    refuseTruncation(warnings);
                    image = fromBufferedImage(decoded);
                }
                return image.oriented(ExifOrientation.of(encoded));
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("the image could not be decoded (" + e.getMessage()
                    + "); it may be truncated or corrupt, or use an unsupported variant."
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
