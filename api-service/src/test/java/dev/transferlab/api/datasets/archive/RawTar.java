package dev.transferlab.api.datasets.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Tar records written byte by byte, for what commons-compress will not write: a long-name header declaring
 * gigabytes, names that are not UTF-8, sparse and device headers, chains of extended headers.
 */
public final class RawTar {
    public static final int RECORD = 512;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A ustar header; {@code size} is what it declares, whatever data follows. */
    public static byte[] header(byte[] name, char type, long size) {
        byte[] h = new byte[RECORD];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_700_000_000L);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    public static byte[] header(String name, char type, long size) {
        return header(name.getBytes(StandardCharsets.UTF_8), type, size);
    }

    public RawTar entry(byte[] name, char type, byte[] data) {
        out.writeBytes(header(name, type, data.length));
        return data(data);
    }

    public RawTar entry(String name, char type, byte[] data) {
        return entry(name.getBytes(StandardCharsets.UTF_8), type, data);
    }

    public RawTar file(String name, String content) {
        return entry(name, '0', content.getBytes(StandardCharsets.UTF_8));
    }

    /** A PAX extended header ('x') holding {@code records} ("key=value" each) for the entry after it. */
    public RawTar pax(byte[]... records) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] record : records) {
            int length = record.length + 3;
            while (String.valueOf(length).length() + 2 + record.length != length) {
                length++;
            }
            body.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(record);
            body.write('\n');
        }
        return entry("PaxHeaders/x", 'x', body.toByteArray());
    }

    public RawTar pax(String... records) {
        byte[][] bytes = new byte[records.length][];
        for (int i = 0; i < records.length; i++) {
            bytes[i] = records[i].getBytes(StandardCharsets.UTF_8);
        }
        return pax(bytes);
    }

    public RawTar raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    private RawTar data(byte[] data) {
        out.writeBytes(data);
        out.writeBytes(new byte[(RECORD - data.length % RECORD) % RECORD]);
        return this;
    }

    /** The records so far, without the end-of-archive records. */
    public byte[] records() {
        return out.toByteArray();
    }

    public byte[] tar() {
        return concat(out.toByteArray(), new byte[2 * RECORD]);
    }

    public byte[] tarGz() {
        return gzip(tar());
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gz.toByteArray();
    }

    /**
     * A gzip stream compressed as it is read, so that gigabytes of tar never sit in memory; it has no trailer,
     * which a reader that stops early never reaches.
     */
    public static InputStream gzipping(InputStream tar) {
        byte[] gzipHeader = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
        return new SequenceInputStream(new ByteArrayInputStream(gzipHeader),
                new DeflaterInputStream(tar, new Deflater(Deflater.BEST_SPEED, true), 64 * 1024));
    }

    /** {@code count} copies of {@code bytes}, made as they are read; {@link Repeated#consumed()} tells how far. */
    public static Repeated repeated(byte[] bytes, long count) {
        return new Repeated(bytes, count);
    }

    public static final class Repeated extends InputStream {
        private final byte[] bytes;
        private final long total;
        private long position;

        private Repeated(byte[] bytes, long count) {
            this.bytes = bytes;
            this.total = bytes.length * count;
        }

        public long consumed() {
            return position;
        }

        @Override
        public int read() {
            return position >= total ? -1 : bytes[(int) (position++ % bytes.length)] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= total) {
                return -1;
            }
            int n = (int) Math.min(length, total - position);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = bytes[(int) ((position + i) % bytes.length)];
            }
            position += n;
            return n;
        }
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
