package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;

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
 * descriptors, which java.util.zip's stream reader cannot handle for stored entries, and ZipFile needs a file. Every
 * offset, count and size the archive declares is checked against the bytes there are before it is used.
 */
final class StoredZip {

    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int DIRECTORY_ENTRY = 0x02014b50;
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int END_RECORD_BYTES = 22;
    private static final int DIRECTORY_ENTRY_BYTES = 46;
    private static final int LOCAL_HEADER_BYTES = 30;
    private static final long ZIP64_MARKER = 0xffffffffL;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;

    private record Entry(int method, long compressedSize, long size, long localHeader) {
    }

    private final ByteBuffer data;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long inflationLeft;

    private StoredZip(ByteBuffer bytes) {
        this.data = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.inflationLeft = inflationBudget(data.capacity());
        int end = findEndOfDirectory();
        int count = unsignedShort(end + 10);
        long directorySize = unsignedInt(end + 12);
        long directoryStart = unsignedInt(end + 16);
        if (count == 0xffff || directorySize == ZIP64_MARKER || directoryStart == ZIP64_MARKER) {
            throw new WeightsFormatException("zip64 archives (over 4 GB or 65535 entries) are not supported");
        }
        if (directoryStart + directorySize > end || (long) count * DIRECTORY_ENTRY_BYTES > directorySize) {
            throw new WeightsFormatException("corrupt zip: its central directory of " + count + " entries in "
                    + directorySize + " bytes at byte " + directoryStart + " does not fit before its end record at"
                    + " byte " + end);
        }
        int at = (int) directoryStart;
        int directoryEnd = (int) (directoryStart + directorySize);
        for (int i = 0; i < count; i++) {
            if (directoryEnd - at < DIRECTORY_ENTRY_BYTES || data.getInt(at) != DIRECTORY_ENTRY) {
                throw new WeightsFormatException("corrupt zip central directory at byte " + at);
            }
            int nameLength = unsignedShort(at + 28);
            int variableLength = nameLength + unsignedShort(at + 30) + unsignedShort(at + 32);
            if (variableLength > directoryEnd - at - DIRECTORY_ENTRY_BYTES) {
                throw new WeightsFormatException("corrupt zip: the name of central directory entry " + i
                        + " runs past the directory");
            }
            String name = StandardCharsets.UTF_8.decode(data.slice(at + DIRECTORY_ENTRY_BYTES, nameLength)).toString();
            Entry entry = new Entry(unsignedShort(at + 10), unsignedInt(at + 20), unsignedInt(at + 24),
                    unsignedInt(at + 42));
            if (entry.compressedSize() == ZIP64_MARKER || entry.size() == ZIP64_MARKER
                    || entry.localHeader() == ZIP64_MARKER) {
                throw new WeightsFormatException("zip entry " + name + " is in zip64 form (over 4 GB), which is not "
                        + "supported");
            }
            if (entries.put(name, entry) != null) {
                throw new WeightsFormatException("zip entry " + name + " appears twice");
            }
            at += DIRECTORY_ENTRY_BYTES + variableLength;
        }
    }

    /** @throws WeightsFormatException when the bytes are not a zip archive this reader can read */
    static StoredZip of(byte[] bytes) {
        return of(ByteBuffer.wrap(bytes));
    }

    /** {@link #of(byte[])} over a buffer from its first byte to its capacity; stored entries are views of it. */
    static StoredZip of(ByteBuffer bytes) {
        return new StoredZip(bytes);
    }

    static boolean looksLikeZip(ByteBuffer bytes) {
        return bytes.capacity() >= 4 && bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LOCAL_HEADER;
    }

    /**
     * The most bytes all deflated entries of an archive of this length may inflate to, together. A torch checkpoint
     * stores its entries; a re-zipped one deflates, and weights compress little. A larger claim is a zip bomb.
     */
    static long inflationBudget(long archiveLength) {
        return 16 * archiveLength;
    }

    Iterable<String> names() {
        return entries.keySet();
    }

    /**
     * The entry's contents, or empty when the archive has no such entry. Stored entries are views of the archive;
     * each read of a deflated one inflates it again, against the archive's {@link #inflationBudget}.
     *
     * @throws WeightsFormatException when the entry is damaged or inflates past the budget
     */
    Optional<ByteBuffer> read(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            return Optional.empty();
        }
        long header = entry.localHeader();
        if (header > data.capacity() - LOCAL_HEADER_BYTES || data.getInt((int) header) != LOCAL_HEADER) {
            throw new WeightsFormatException("corrupt zip entry " + name + ": no local header at byte " + header);
        }
        long start = header + LOCAL_HEADER_BYTES + unsignedShort((int) header + 26)
                + unsignedShort((int) header + 28);
        if (entry.compressedSize() > data.capacity() - start) {
            throw new WeightsFormatException("zip entry " + name + " is truncated: its " + entry.compressedSize()
                    + " bytes from byte " + start + " run past the archive's " + data.capacity());
        }
        ByteBuffer raw = data.slice((int) start, (int) entry.compressedSize()).order(ByteOrder.LITTLE_ENDIAN);
        return Optional.of(switch (entry.method()) {
            case STORED -> raw;
            case DEFLATED -> inflate(name, raw, entry.size());
            default -> throw new WeightsFormatException("zip entry " + name + " uses compression method "
                    + entry.method() + "; only stored and deflated entries are supported");
        });
    }

    private int findEndOfDirectory() {
        // The end record is 22 bytes plus a comment of up to 65535 bytes, so it lies in the archive's last 64 KB.
        for (int at = data.capacity() - END_RECORD_BYTES; at >= Math.max(0, data.capacity() - END_RECORD_BYTES - 65535);
                at--) {
            if (data.getInt(at) == END_OF_DIRECTORY) {
                return at;
            }
        }
        throw new WeightsFormatException("not a complete zip archive: no end-of-directory record");
    }

    private ByteBuffer inflate(String name, ByteBuffer raw, long size) {
        if (size > inflationLeft || size > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException("zip entry " + name + " claims " + size + " bytes from " + raw.remaining()
                    + " compressed ones, more than this archive may inflate to (" + inflationLeft + " bytes left)");
        }
        inflationLeft -= size;
        byte[] out = new byte[(int) size];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw);
            int produced = inflater.inflate(out);
            if (produced != out.length) {
                throw new WeightsFormatException("zip entry " + name + " inflates to " + produced + " bytes, not "
                        + size);
            }
        } catch (DataFormatException e) {
            throw new WeightsFormatException("zip entry " + name + " is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int unsignedShort(int at) {
        return data.getShort(at) & 0xffff;
    }

    private long unsignedInt(int at) {
        return Integer.toUnsignedLong(data.getInt(at));
    }
}
