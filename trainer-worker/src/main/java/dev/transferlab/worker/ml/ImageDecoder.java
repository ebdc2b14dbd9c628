package dev.transferlab.worker.ml;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Decodes whatever javax.imageio reads (JPEG, CMYK and YCCK JPEG included, PNG, GIF, BMP, TIFF) to RGB as PIL's
 * convert("RGB") does, turned as its EXIF orientation says. PNG and JPEG files are walked first (every length checked)
 * and the memory their decoding takes is reserved from the {@link DecodeBudget} before the decoder allocates any of
 * it. Any bytes give an image or an {@link InvalidImageException} ({@link ImageTooLargeException} for one over the
 * limit), never another exception.
 */
final class ImageDecoder {

    // PIL refuses images above this many pixels as decompression bombs; a real photo is far smaller.
    static final long MAX_PIXELS = 178_956_970L;
    // The RgbImage result where it is a copy (3 bytes a pixel, counted as 4 as when it held ints, so that the
    // limits stay as they were); the EXIF turn makes a second one.
    private static final int RGB_BYTES = 4;
    private static final ImageTypeSpecifier RGB = ImageTypeSpecifier.createInterleaved(
            ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {0, 1, 2}, DataBuffer.TYPE_BYTE, false, false);
    private static final ImageTypeSpecifier RGBA = ImageTypeSpecifier.createInterleaved(
            ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {0, 1, 2, 3}, DataBuffer.TYPE_BYTE, true, false);

    private interface Declare {
        DeclaredImage of(ImageReader reader) throws IOException;
    }

    private interface Decode {
        RgbImage from(ImageReader reader) throws IOException;
    }

    /** A decoded image and its share of the budget, held until the caller is done with the pixels. */
    private record Reserved(RgbImage image, DecodeBudget.Lease lease) {
    }

    private ImageDecoder() {
    }

    /**
     * Decodes the image and hands it to {@code use} while its memory is still reserved; what {@code use} returns
     * (a resized crop, for instance) must be small, since it outlives the reservation.
     */
    static <T> T decode(byte[] encoded, DecodeBudget budget, Function<RgbImage, T> use) {
        Reserved reserved = decodeReserved(encoded, budget);
        try (DecodeBudget.Lease lease = reserved.lease()) {
            return use.apply(reserved.image());
        }
    }

    private static Reserved decodeReserved(byte[] encoded, DecodeBudget budget) {
        if (encoded == null || encoded.length == 0) {
            throw new InvalidImageException("the image is empty (0 bytes); upload a JPEG or PNG file");
        }
        if (PngChunks.isPng(encoded)) {
            return png(encoded, budget);
        }
        if (JpegSegments.isJpeg(encoded)) {
            return jpeg(encoded, budget);
        }
        // GIF, BMP, TIFF: their readers read the header that says how large the image is.
        return read(encoded, ImageDecoder::declaredByReader, budget,
                reader -> fromBufferedImage(reader.read(0)));
    }

    private static Reserved png(byte[] encoded, DecodeBudget budget) {
        PngChunks png = PngChunks.walk(encoded);
        PngChunks.Header header = png.header();
        int orientation = ExifOrientation.of(png.exif(encoded));
        // Java's decoder gives grey or RGB with a tRNS colour key an alpha band; 16-bit samples take 2 bytes.
        int samples = header.channels() + (png.transparency() ? 1 : 0);
        int bytesPerPixel = samples * (header.bitDepth() == 16 ? 2 : 1) + rgbBytes(orientation);
        DeclaredImage declared = new DeclaredImage(header.describe(), header.width(), header.height(), bytesPerPixel);
        return read(png.critical(), reader -> declared, budget,
                reader -> fromBufferedImage(readInOrder(reader)).oriented(orientation));
    }

    private static Reserved jpeg(byte[] encoded, DecodeBudget budget) {
        JpegSegments jpeg = JpegSegments.walk(encoded);
        JpegSegments.Frame frame = jpeg.frame();
        int orientation = ExifOrientation.of(ExifOrientation.in(jpeg));
        boolean ycck = jpeg.fourComponents() && jpeg.ycck();
        int components = frame.components();
        // The raster of samples, plus libjpeg's buffer of all coefficients (2 bytes each) for progressive files.
        int bytesPerPixel = components * (frame.precision() > 8 ? 2 : 1) + (frame.progressive() ? 2 * components : 0)
                + rgbBytes(orientation);
        String kind = switch (components) {
            case 1 -> "greyscale";
            case 3 -> "colour";
            default -> ycck ? "YCCK" : "CMYK";
        };
        DeclaredImage declared = new DeclaredImage(frame.width() + "x" + frame.height() + " "
                + (frame.progressive() ? "progressive " : "") + kind + " JPEG", frame.width(), frame.height(),
                bytesPerPixel);
        return read(jpeg.forDecoder(), reader -> declared, budget, reader -> {
            // Java's JPEG decoder has no CMYK colour model; it can only hand over the raw samples.
            RgbImage image = jpeg.fourComponents() ? CmykJpeg.toRgb(reader.readRaster(0, null), ycck)
                    : fromBufferedImage(readInOrder(reader));
            return image.oriented(orientation);
        });
    }

    /**
     * Java's JPEG and PNG decoders copy each decoded row into their standard BGR (or ABGR) image one sample at a time,
     * but into an RGB (or RGBA) one, the order they decode in, with one array copy; the values are the same.
     */
    private static BufferedImage readInOrder(ImageReader reader) throws IOException {
        ImageTypeSpecifier inOrder = switch (reader.getImageTypes(0).next().getBufferedImageType()) {
            case BufferedImage.TYPE_3BYTE_BGR -> RGB;
            case BufferedImage.TYPE_4BYTE_ABGR -> RGBA;
            default -> null;
        };
        if (inOrder == null) {
            return reader.read(0);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(inOrder.createBufferedImage(reader.getWidth(0), reader.getHeight(0)));
        return reader.read(0, param);
    }

    private static int rgbBytes(int orientation) {
        return orientation > 1 ? 2 * RGB_BYTES : RGB_BYTES;
    }

    private static DeclaredImage declaredByReader(ImageReader reader) throws IOException {
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        // Unknown: assume four 16-bit samples, the most these formats store per pixel here.
        int decoded = type == null ? 8 : (type.getColorModel().getPixelSize() + 7) / 8;
        return new DeclaredImage(width + "x" + height + " " + reader.getFormatName().toUpperCase(Locale.ROOT),
                width, height, decoded + RGB_BYTES);
    }

    private static Reserved read(byte[] encoded, Declare declare, DecodeBudget budget, Decode decode) {
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
                DeclaredImage image = declare.of(reader);
                if (image.pixels() > MAX_PIXELS || image.pixels() <= 0) {
                    throw new InvalidImageException("the image is " + image.width() + "x" + image.height()
                            + " pixels; images must have between 1 and " + MAX_PIXELS + " pixels");
                }
                DecodeBudget.Lease lease = budget.reserve(image);
                boolean handedOver = false;
                try {
                    RgbImage decoded = decode.from(reader);
                    refuseTruncation(warnings);
                    handedOver = true;
                    return new Reserved(decoded, lease);
                } finally {
                    if (!handedOver) {
                        lease.close();
                    }
                }
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while decoding an image", e); // not the image's fault
            }
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
     * (Java treats it as linear) and embedded ICC profiles, where PIL keeps the stored values. 8-bit samples
     * interleaved in one array, as the JPEG and PNG decoders give them, are used where they are; others are copied
     * one row at a time, so the conversion needs no more than the result.
     */
    static RgbImage fromBufferedImage(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        int spaceType = model.getColorSpace().getType();
        boolean grey = spaceType == ColorSpace.TYPE_GRAY;
        if (model instanceof IndexColorModel
                || !grey && !(spaceType == ColorSpace.TYPE_RGB && model.getNumColorComponents() == 3)) {
            return fromArgb(width, height, image.getRGB(0, 0, width, height, null, 0, width));
        }
        WritableRaster raster = image.getRaster();
        int bands = grey ? 1 : 3;
        boolean eightBits = true;
        for (int band = 0; band < bands; band++) {
            eightBits &= model.getComponentSize(band) == 8;
        }
        if (eightBits && raster.getDataBuffer() instanceof DataBufferByte buffer && buffer.getNumBanks() == 1
                && buffer.getOffset() == 0 && raster.getSampleModel() instanceof PixelInterleavedSampleModel layout
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && layout.getScanlineStride() == width * layout.getPixelStride()) {
            int[] offsets = layout.getBandOffsets();
            return new RgbImage(width, height, buffer.getData(), layout.getPixelStride(), offsets[0],
                    offsets[grey ? 0 : 1], offsets[grey ? 0 : 2]);
        }
        byte[] rgb = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int band = 0; band < bands; band++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, band, row);
                toEightBits(row, model.getComponentSize(band));
                for (int x = 0; x < width; x++) {
                    for (int c = grey ? 0 : band; c <= (grey ? 2 : band); c++) {
                        rgb[3 * (y * width + x) + c] = (byte) row[x];
                    }
                }
            }
        }
        return RgbImage.packed(width, height, rgb);
    }

    private static RgbImage fromArgb(int width, int height, int[] argb) {
        byte[] rgb = new byte[Math.multiplyExact(3, argb.length)];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return RgbImage.packed(width, height, rgb);
    }

    private static void toEightBits(int[] samples, int bits) {
        if (bits == 8) {
            return;
        }
        for (int i = 0; i < samples.length; i++) {
            samples[i] = bits > 8 ? samples[i] >>> (bits - 8) : Math.round(samples[i] * 255f / ((1 << bits) - 1));
        }
    }
}
