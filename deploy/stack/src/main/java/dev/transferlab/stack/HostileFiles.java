package dev.transferlab.stack;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Hostile inputs, made in code so that no large file is committed: each is small, and each declares or does something
 * a careless parser trusts (a huge size, a negative length, a name that is not text, an entry that is not a file).
 * Names inside archives are those the suite asserts on.
 */
public final class HostileFiles {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private HostileFiles() {
    }

    // ---- images ----

    /**
     * A 1x1 grey PNG of under 100 bytes whose chunk after IDAT declares a length of -12: a walker that adds
     * {@code 12 + length} to its position never moves again.
     */
    public static byte[] pngWithNegativeChunkLength() {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(PNG_SIGNATURE);
        png.writeBytes(chunk("IHDR", ihdr(1, 1, 8, 0)));
        png.writeBytes(chunk("IDAT", zlib(new byte[] {0, 0})));
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        writeInt(bad, -12);
        bad.writeBytes("tEXt".getBytes(StandardCharsets.US_ASCII));
        bad.writeBytes(new byte[] {'a', 'b', 'c', 'd'});
        png.writeBytes(bad.toByteArray());
        return png.toByteArray();
    }

    /**
     * A 16-bit RGBA PNG that declares {@code width x height} (8 bytes per pixel decoded: 1.15 GB at 12,000 x 12,000)
     * and carries one row of pixels: the size is in the header, the bytes are not.
     */
    public static byte[] png16BitDeclaring(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(PNG_SIGNATURE);
        png.writeBytes(chunk("IHDR", ihdr(width, height, 16, 6)));
        png.writeBytes(chunk("IDAT", zlib(new byte[1 + width * 8])));
        png.writeBytes(chunk("IEND", new byte[0]));
        return png.toByteArray();
    }

    /**
     * A four-channel (CMYK, Adobe) JPEG whose frame header declares {@code width x height} but whose scan holds
     * 16 x 16 pixels: a few hundred bytes that a decoder allocating by the header turns into width x height x 4 bytes
     * (708 MB at 13,300 x 13,300, which is under the usual pixel limit of 178 million).
     */
    public static byte[] cmykJpegDeclaring(int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        Random random = new Random(13_300);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                for (int band = 0; band < 4; band++) {
                    raster.setSample(x, y, band, random.nextInt(256));
                }
            }
        }
        byte[] jpeg = writeJpeg(new IIOImage(raster, null, null));
        int sof = frameHeader(jpeg);
        // SOFn: marker, length (2), precision (1), height (2), width (2).
        jpeg[sof + 5] = (byte) (height >> 8);
        jpeg[sof + 6] = (byte) height;
        jpeg[sof + 7] = (byte) (width >> 8);
        jpeg[sof + 8] = (byte) width;
        return jpeg;
    }

    /** An ordinary small colour JPEG. */
    public static byte[] jpeg(String className, long seed) {
        try {
            BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(SampleImages.png(className, seed)));
            BufferedImage rgb = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(decoded, 0, 0, null);
            return writeJpeg(new IIOImage(rgb, null, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first half of an ordinary JPEG: the scan stops mid-way and there is no end marker. */
    public static byte[] truncatedJpeg() {
        byte[] whole = jpeg("sunset", 5);
        return Arrays.copyOf(whole, whole.length / 2);
    }

    /** A JPEG's first three bytes, then noise: recognised as a JPEG by its signature, and nothing more. */
    public static byte[] randomBytesWithJpegSignature(long seed) {
        byte[] bytes = new byte[4096];
        new Random(seed).nextBytes(bytes);
        bytes[0] = (byte) 0xff;
        bytes[1] = (byte) 0xd8;
        bytes[2] = (byte) 0xff;
        return bytes;
    }

    // ---- archives ----

    /** Two ordinary images in two classes, so that only the hostile entry is wrong with an archive. */
    public static Map<String, byte[]> twoGoodImages() {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("train/ocean/0.png", SampleImages.png("ocean", 1));
        files.put("train/sunset/0.png", SampleImages.png("sunset", 1));
        return files;
    }

    /**
     * A tar.gz whose first entry is a GNU long-name header declaring, and holding, a name of {@code nameBytes} bytes
     * (one letter repeated, which gzip shrinks a thousandfold: 1.5 GB of name is 1.5 MB uploaded), then the two good
     * images: a reader that takes in the whole name before looking at its length holds gigabytes for megabytes.
     */
    public static byte[] tarGzWithLongName(long nameBytes) {
        TarArchiveEntry longName = new TarArchiveEntry(TarConstants.GNU_LONGLINK, TarConstants.LF_GNUTYPE_LONGNAME);
        longName.setSize(nameBytes);
        byte[] header = new byte[TarConstants.DEFAULT_RCDSIZE];
        longName.writeEntryHeader(header);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(bytes, 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, StandardCharsets.UTF_8.name())) {
            gzip.write(header);
            byte[] name = new byte[1 << 20];
            Arrays.fill(name, (byte) 'a');
            for (long sent = 0; sent < nameBytes; sent += name.length) {
                gzip.write(name, 0, (int) Math.min(name.length, nameBytes - sent));
            }
            gzip.write(new byte[(int) ((TarConstants.DEFAULT_RCDSIZE - nameBytes % TarConstants.DEFAULT_RCDSIZE)
                    % TarConstants.DEFAULT_RCDSIZE)]);
            // The entry the long name belongs to, and another image: a reader that survives the name goes on.
            for (Map.Entry<String, byte[]> f : twoGoodImages().entrySet()) {
                putFile(tar, f.getKey(), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The two good images and one entry of this tar type: {@link TarConstants#LF_CHR}, {@link TarConstants#LF_BLK},
     * {@link TarConstants#LF_FIFO}, {@link TarConstants#LF_SYMLINK} or {@link TarConstants#LF_LINK} (links point at
     * {@code /etc/passwd}).
     */
    public static byte[] tarGzWithSpecialEntry(String name, byte type) {
        return tarGz(twoGoodImages(), tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, type);
            if (type == TarConstants.LF_SYMLINK || type == TarConstants.LF_LINK) {
                entry.setLinkName("/etc/passwd");
            } else if (type == TarConstants.LF_CHR || type == TarConstants.LF_BLK) {
                entry.setDevMajor(1);
                entry.setDevMinor(3);
            }
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        });
    }

    /**
     * The two good images and one image under each of these raw names, which are bytes, not text: names made of
     * chars up to U+00FF become exactly those bytes (ISO-8859-1), so {@code "train/ocean/\u00ff.jpg"} is the name
     * {@code train/ocean/\xff.jpg}, which is not UTF-8.
     */
    public static byte[] tarGzWithRawNames(String... latin1Names) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes),
                StandardCharsets.ISO_8859_1.name())) {
            for (Map.Entry<String, byte[]> f : twoGoodImages().entrySet()) {
                putFile(tar, f.getKey(), f.getValue());
            }
            byte[] image = jpeg("ocean", 2);
            for (String name : latin1Names) {
                putFile(tar, name, image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A tar.gz of {@code count} empty directories and nothing else: about 512 bytes each unpacked, a few gzipped. */
    public static byte[] tarGzOfDirectories(int count) {
        return tarGz(Map.of(), tar -> {
            for (int i = 0; i < count; i++) {
                tar.putArchiveEntry(new TarArchiveEntry("d/" + i + "/"));
                tar.closeArchiveEntry();
            }
        });
    }

    /** The two good images and a zip entry whose Unix mode makes it a FIFO. */
    public static byte[] zipWithFifo(String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : twoGoodImages().entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeArchiveEntry();
            }
            ZipArchiveEntry fifo = new ZipArchiveEntry(name);
            fifo.setUnixMode(0010644);
            zip.putArchiveEntry(fifo);
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private interface TarWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tarGz(Map<String, byte[]> files, TarWriter more) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes),
                StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                putFile(tar, f.getKey(), f.getValue());
            }
            more.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void putFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    // ---- encoding helpers ----

    private static byte[] writeJpeg(IIOImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The offset of the baseline or progressive frame header (SOF0..SOF2), walking the segments before it. */
    private static int frameHeader(byte[] jpeg) {
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xff) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker >= 0xc0 && marker <= 0xc2) {
                return at;
            }
            at += 2 + ((jpeg[at + 2] & 0xff) << 8 | (jpeg[at + 3] & 0xff));
        }
        throw new IllegalStateException("the JPEG writer wrote no frame header");
    }

    private static byte[] ihdr(int width, int height, int bitDepth, int colourType) {
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeInt(ihdr, width);
        writeInt(ihdr, height);
        ihdr.writeBytes(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
        return ihdr.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        writeInt(chunk, data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        chunk.writeBytes(typeBytes);
        chunk.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        writeInt(chunk, (int) crc.getValue());
        return chunk.toByteArray();
    }

    private static byte[] zlib(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_COMPRESSION))) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        try {
            new DataOutputStream(out).writeInt(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
