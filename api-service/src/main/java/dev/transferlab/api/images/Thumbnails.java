package dev.transferlab.api.images;

import dev.transferlab.api.http.ProblemException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;

/**
 * Small PNG previews of dataset images, made safely from files anyone may have uploaded. The size the header declares
 * is checked before any pixel is decoded, and the decoder is asked for a subsampled raster, so the memory a decode
 * takes follows the thumbnail's size, not the image's; whatever a hostile file makes the decoder throw is a 422.
 */
public final class Thumbnails {
    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE = 256;

    private Thumbnails() {
    }

    /**
     * @param image     the encoded image, already read within the caller's byte limit
     * @param size      the longer side of the thumbnail, {@value #MIN_SIZE} to {@value #MAX_SIZE}
     * @param maxPixels the most pixels (width x height) an image may declare
     */
    public static byte[] png(byte[] image, int size, long maxPixels) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new ProblemException(400, "Bad Request", "size must be between " + MIN_SIZE + " and " + MAX_SIZE
                    + ", got " + size);
        }
        String format = ImageFormats.formatOf(image).orElse(null);
        if (format == null || !ImageFormats.DATASET_FORMATS.contains(format)) {
            throw new ProblemException(415, "Unsupported Media Type", "the file is not a JPEG, PNG, GIF, BMP or TIFF"
                    + " image" + (format == null ? "" : " (it is " + format + ")"));
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
            ImageReader reader = reader(in, format);
            try {
                // Metadata is never read: it is where hostile files hide their largest lengths.
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw undecodable("it declares a size of " + width + "x" + height);
                }
                if ((long) width * height > maxPixels) {
                    throw new ProblemException(413, "Content Too Large", "the image is " + width + "x" + height
                            + " pixels; thumbnails are made of images up to " + maxPixels + " pixels");
                }
                ImageReadParam param = reader.getDefaultReadParam();
                // Decoding every step-th pixel keeps the raster at most twice the thumbnail's size on each side.
                int step = Math.max(1, Math.max(width, height) / (2 * size));
                param.setSourceSubsampling(step, step, 0, 0);
                return scaled(reader.read(0, param), size);
            } finally {
                reader.dispose();
            }
        } catch (ProblemException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw undecodable(String.valueOf(e.getMessage()));
        }
    }

    private static ImageReader reader(ImageInputStream in, String format) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            String name = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (name.equals(format) || name.equals("tif") && format.equals("tiff")) {
                return reader;
            }
        }
        throw undecodable("no decoder for " + format);
    }

    private static byte[] scaled(BufferedImage source, int size) {
        double scale = Math.min(1.0, (double) size / Math.max(source.getWidth(), source.getHeight()));
        int width = Math.max(1, (int) Math.round(source.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(source.getHeight() * scale));
        BufferedImage thumbnail = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = thumbnail.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(thumbnail, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static ProblemException undecodable(String why) {
        return new ProblemException(422, "Unprocessable Content", "the image cannot be decoded: " + why);
    }
}
