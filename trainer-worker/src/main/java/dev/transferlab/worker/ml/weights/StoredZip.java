package dev.transferlab.worker.ml.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads entries of a zip archive held in memory, through its central directory. torch writes its archives with data
 * descriptors, which java.util.zip's stream reader cannot handle for stored entries, and ZipFile needs a file.
 */
final class StoredZip {

    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int DIRECTORY_ENTRY = 0x02014b50;
    private static final int LOCAL_HEADER = 0x04034b50;

    private record Entry(int method, long compressedSize, long size, long localHeader) {
    }

    private final ByteBuffer data;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private StoredZip(byte[] bytes) {
        this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int end = findEndOfDirectory();
        if (data.getInt(end + 16) == -1 || (data.getShort(end + 10) & 0xffff) == 0xffff) {
            throw new IllegalArgumentException("zip64 archives (over 4 GB) are not supported");
        }
        int count = data.getShort(end + 10) & 0xffff;
        long position = Integer.toUnsignedLong(data.getInt(end + 16));
        for (int i = 0; i < count; i++) {
            int at = Math.toIntExact(position);
            if (data.getInt(at) != DIRECTORY_ENTRY) {
                throw new IllegalArgumentException("corrupt zip central directory at byte " + at);
            }
            int nameLength = data.getShort(at + 28) & 0xffff;
            int extraLength = data.getShort(at + 30) & 0xffff;
            int commentLength = data.getShort(at + 32) & 0xffff;
            String name = new String(bytes, at + 46, nameLength, StandardCharsets.UTF_8);
            entries.put(name, new Entry(data.getShort(at + 10) & 0xffff, Integer.toUnsignedLong(data.getInt(at + 20)),
                    Integer.toUnsignedLong(data.getInt(at + 24)), Integer.toUnsignedLong(data.getInt(at + 42))));
            position = at + 46L + nameLength + extraLength + commentLength;
        }
    }

    static StoredZip of(byte[] bytes) {
        try {
            return new StoredZip(bytes);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the zip archive is truncated or corrupt");
        }
    }

    static boolean looksLikeZip(byte[] bytes) {
        return bytes.length >= 4 && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LOCAL_HEADER;
    }

    Iterable<String> names() {
        return entries.keySet();
    }

    /** The entry's contents, or empty when the archive has no such entry. */
    Optional<ByteBuffer> read(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            return Optional.empty();
        }
        try {
            int header = Math.toIntExact(entry.localHeader());
            if (data.getInt(header) != LOCAL_HEADER) {
                throw new IllegalArgumentException("corrupt zip entry " + name);
            }
            int start = header + 30 + (data.getShort(header + 26) & 0xffff) + (data.getShort(header + 28) & 0xffff);
            ByteBuffer raw = data.slice(start, Math.toIntExact(entry.compressedSize())).order(ByteOrder.LITTLE_ENDIAN);
            return Optional.of(switch (entry.method()) {
                case 0 -> raw;
                case 8 -> inflate(name, raw, entry.size());
                default -> throw new IllegalArgumentException("zip entry " + name + " uses compression method "
                        + entry.method() + "; only stored and deflated entries are supported");
            });
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("zip entry " + name + " is truncated");
        }
    }

    private int findEndOfDirectory() {
        // The end record is 22 bytes plus a comment of up to 65535 bytes, so it lies in the archive's last 64 KB.
        for (int at = data.capacity() - 22; at >= Math.max(0, data.capacity() - 22 - 65535); at--) {
            if (data.getInt(at) == END_OF_DIRECTORY) {
                return at;
            }
        }
        throw new IllegalArgumentException("not a complete zip archive: no end-of-directory record");
    }

    private static ByteBuffer inflate(String name, ByteBuffer raw, long size) {
        // Deflate cannot expand more than about 1032 to 1; a larger claim is a corrupt header, not a reason to allocate.
        if (size > 1032L * raw.remaining() + 1024) {
            throw new IllegalArgumentException("zip entry " + name + " claims " + size + " bytes from "
                    + raw.remaining() + " compressed ones");
        }
        byte[] out = new byte[Math.toIntExact(size)];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw);
            int produced = inflater.inflate(out);
            if (produced != out.length) {
                throw new IllegalArgumentException("zip entry " + name + " inflates to " + produced + " bytes, not "
                        + size);
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("zip entry " + name + " is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }
}
