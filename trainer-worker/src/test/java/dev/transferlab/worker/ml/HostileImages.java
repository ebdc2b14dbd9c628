package dev.transferlab.worker.ml;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Small crafted image files, valid and hostile: what the decoder tests use and what the fuzz targets' seed corpora
 * are made of. The huge ones only declare their size: a few hundred bytes each.
 *
 * <p>Regenerate the corpora (from trainer-worker, after test-compile):
 * {@code java -cp target/test-classes:target/classes dev.transferlab.worker.ml.HostileImages src/test/resources}
 */
public final class HostileImages {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private HostileImages() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0], "dev/transferlab/worker/ml");
        write(root.resolve("PngChunksFuzzTestInputs/anyBytesWalkOrAreRefusedAsDamaged"), pngs());
        write(root.resolve("JpegSegmentsFuzzTestInputs/anyBytesWalkOrAreRefusedAsDamaged"), jpegs());
        Map<String, byte[]> all = new LinkedHashMap<>(pngs());
        all.putAll(jpegs());
        all.put("gif", encode(rgb(5, 4), "gif"));
        all.put("bmp", encode(rgb(5, 4), "bmp"));
        all.put("tiff", encode(rgb(5, 4), "tiff"));
        write(root.resolve("ImageDecoderFuzzTestInputs/anyBytesDecodeOrAreRefused"), all);
    }

    static Map<String, byte[]> pngs() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("png-rgb", encode(rgb(6, 5), "png"));
        files.put("png-grey16", pngWithPixels(3, 2, 16, 0));
        files.put("png-palette", encode(palette(4, 4), "png"));
        files.put("png-exif", withChunkAfterHeader(encode(rgb(4, 3), "png"), "eXIf", exifOrientation(6)));
        files.put("png-negative-length-after-idat", pngNegativeLengthAfterIdat());
        files.put("png-declares-12000-16bit", pngDeclaring(12_000, 12_000, 16, 2));
        files.put("png-truncated", java.util.Arrays.copyOf(encode(rgb(6, 5), "png"), 40));
        return files;
    }

    static Map<String, byte[]> jpegs() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("jpeg-rgb", encode(rgb(16, 12), "jpg"));
        files.put("jpeg-exif", jpegWithApp1(encode(rgb(16, 12), "jpg"), exifOrientation(6)));
        files.put("jpeg-exif-ifd-past-end", jpegWithApp1(encode(rgb(8, 8), "jpg"), damagedExif()));
        files.put("jpeg-cmyk", cmykJpeg(16, 8));
        files.put("jpeg-cmyk-declares-13300", withJpegSize(cmykJpeg(16, 8), 13_300, 13_300));
        files.put("jpeg-segment-length-1", jpegSegmentLength(1));
        return files;
    }

    /** A valid 1x1 PNG whose chunk after IDAT declares a length of -12 (0xFFFFFFF4): the endless loop of issue 10. */
    static byte[] pngNegativeLengthAfterIdat() {
        byte[] png = encode(rgb(1, 1), "png");
        int iend = png.length - 12;
        ByteBuffer out = ByteBuffer.allocate(png.length + 8);
        out.put(png, 0, iend).putInt(-12).put("tEXt".getBytes(StandardCharsets.ISO_8859_1)).put(png, iend, 12);
        return out.array();
    }

    /** A PNG whose IHDR declares width x height, with a few bytes of image data. */
    static byte[] pngDeclaring(int width, int height, int bitDepth, int colourType) {
        return png(width, height, bitDepth, colourType, deflate(new byte[64]));
    }

    /** A complete PNG of width x height grey or RGB pixels (all zero) at the given bit depth. */
    static byte[] pngWithPixels(int width, int height, int bitDepth, int colourType) {
        int channels = colourType == 2 ? 3 : 1;
        int rowBytes = 1 + width * channels * bitDepth / 8;
        return png(width, height, bitDepth, colourType, deflate(new byte[rowBytes * height]));
    }

    private static byte[] png(int width, int height, int bitDepth, int colourType, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.writeBytes(chunk("IDAT", idat));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        return chunk.putInt((int) crc.getValue()).array();
    }

    static byte[] withChunkAfterHeader(byte[] png, String type, byte[] data) {
        int afterHeader = 8 + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        out.writeBytes(chunk(type, data));
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    /** A little-endian TIFF structure with one IFD0 entry: Orientation. */
    static byte[] exifOrientation(int orientation) {
        return ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'I').put((byte) 'I')
                .putShort((short) 42).putInt(8).putShort((short) 1).putShort((short) 0x0112).putShort((short) 3)
                .putInt(1).putShort((short) orientation).putShort((short) 0).array();
    }

    /** A TIFF structure whose IFD0 offset points past its end and whose entry count is 65535. */
    static byte[] damagedExif() {
        return ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN).put((byte) 'M').put((byte) 'M')
                .putShort((short) 42).putInt(0x7ffffff0).putShort((short) -1).putShort((short) 0).array();
    }

    /** Inserts an APP1 "Exif\0\0" segment with this TIFF structure after a JPEG's SOI. */
    static byte[] jpegWithApp1(byte[] jpeg, byte[] tiff) {
        ByteBuffer segment = ByteBuffer.allocate(4 + 6 + tiff.length);
        segment.put((byte) 0xff).put((byte) 0xe1).putShort((short) (2 + 6 + tiff.length))
                .put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1)).put(tiff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(segment.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A JPEG with a segment after SOI that declares a length under its own 2 bytes. */
    static byte[] jpegSegmentLength(int length) {
        byte[] jpeg = encode(rgb(8, 8), "jpg");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe5, (byte) (length >> 8), (byte) length});
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A four-component JPEG (Java writes them without an Adobe segment: plain CMYK). */
    static byte[] cmykJpeg(int width, int height) {
        WritableRaster samples = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                samples.setPixel(x, y, new int[] {10 * x, 20 * y, 128, 30});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(samples, null, null), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The JPEG with its frame header changed to declare width x height: its data then covers only a corner. */
    static byte[] withJpegSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        int at = 2;
        while ((out[at + 1] & 0xff) < 0xc0 || (out[at + 1] & 0xff) > 0xc2) {
            at += 2 + ((out[at + 2] & 0xff) << 8 | out[at + 3] & 0xff);
        }
        ByteBuffer.wrap(out, at + 5, 4).putShort((short) height).putShort((short) width);
        return out;
    }

    static BufferedImage rgb(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 40) << 16 | (y * 50) << 8 | 90);
            }
        }
        return image;
    }

    private static BufferedImage palette(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED);
        image.setRGB(1, 1, 0xff0000);
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static void write(Path folder, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(folder);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
    }
}
