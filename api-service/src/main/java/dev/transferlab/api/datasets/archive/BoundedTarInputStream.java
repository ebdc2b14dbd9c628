package dev.transferlab.api.datasets.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tar reader that refuses what commons-compress (1.28) would follow without bound, and has no setting for: it reads
 * a GNU long name or link, or a PAX header, whole into memory whatever size its header declares (1.5 GB of name from
 * 1.5 MB of gzip), follows a chain of such headers by recursion (a stack overflow), and collects a sparse file's map
 * for as long as the archive supplies one. The checks sit in the methods the library itself calls before each of
 * those reads, so they see each header as the library has framed it; a raw tar scanner underneath would have to
 * reproduce that framing exactly, or be walked past.
 *
 * <p>Names are read as ISO-8859-1, which keeps every byte, so that {@link #nameBytes} can decode them strictly;
 * PAX values the library always decodes as UTF-8, replacing bad bytes, so a PAX path is taken from the header's bytes.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {
    static final int MAX_NAME_BYTES = 4096;
    /** Room for a path and a link path of the longest, and the times, ids and names PAX tools add. */
    static final int MAX_PAX_BYTES = 16 * 1024;
    /** Extended headers before one entry: a global and a local PAX header, a long name and a long link at most. */
    static final int MAX_EXTENDED_HEADERS = 8;
    private static final int TYPE_OFFSET = TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN
            + TarConstants.GIDLEN + TarConstants.SIZELEN + TarConstants.MODTIMELEN + TarConstants.CHKSUMLEN;

    /** The PAX headers read for the entry being read, in archive order. */
    private final List<PaxHeader> paxHeaders = new ArrayList<>();
    private int depth;

    BoundedTarInputStream(InputStream tar) {
        super(tar, StandardCharsets.ISO_8859_1.name());
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        // The library comes back here, recursively, once each extended header's data has been read.
        if (depth == 0) {
            paxHeaders.clear();
        } else if (depth >= MAX_EXTENDED_HEADERS) {
            throw UnreadableArchive.refused(printable(getCurrentEntry()), "is one of more than "
                    + MAX_EXTENDED_HEADERS + " extended headers in a row (GNU long names, PAX headers)");
        }
        vetPaxHeaders();
        depth++;
        try {
            TarArchiveEntry entry = super.getNextEntry();
            if (entry != null && depth == 1 && entry.isSparse()) {
                throw UnreadableArchive.refused(printable(entry), "is a sparse file; archives may hold only "
                        + "regular files and folders");
            }
            return entry;
        } finally {
            depth--;
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        TarArchiveEntry current = getCurrentEntry();
        boolean pax = current != null && (current.isPaxHeader() || current.isGlobalPaxHeader());
        if (current != null && (current.isGNULongNameEntry() || current.isGNULongLinkEntry())
                && current.getSize() > MAX_NAME_BYTES + 1) {
            throw UnreadableArchive.refused(printable(current), "declares a name of " + current.getSize()
                    + " bytes; an entry name may not be longer than " + MAX_NAME_BYTES + " bytes");
        }
        if (pax && current.getSize() > MAX_PAX_BYTES) {
            throw UnreadableArchive.refused(printable(current), "is a PAX header of " + current.getSize()
                    + " bytes; a PAX header may not be longer than " + MAX_PAX_BYTES + " bytes");
        }
        int n = super.read(buffer, offset, length);
        if (pax && n > 0) {
            paxHeader(current).bytes.write(buffer, offset, n);
        }
        return n;
    }

    /** Old GNU sparse headers are followed by map records the library reads until the archive says stop. */
    @Override
    protected byte[] readRecord() throws IOException {
        byte[] record = super.readRecord();
        if (record != null && record[TYPE_OFFSET] == TarConstants.LF_GNUTYPE_SPARSE) {
            byte[] name = new byte[TarConstants.NAMELEN];
            System.arraycopy(record, 0, name, 0, name.length);
            int end = 0;
            while (end < name.length && name[end] != 0) {
                end++;
            }
            throw UnreadableArchive.refused(EntryNameBytes.printable(Arrays.copyOf(name, end)),
                    "is a sparse file; archives may hold only regular files and folders");
        }
        return record;
    }

    /**
     * The name of the entry {@link #getNextEntry} returned, as the archive stores it: the bytes of the PAX path the
     * library applied, or else those of the header or GNU long name it read as ISO-8859-1.
     */
    byte[] nameBytes(TarArchiveEntry entry) throws UnreadableArchive {
        String name = entry.getName();
        for (PaxHeader header : paxHeaders) {
            byte[] path = header.path();
            if (path != null) {
                String decoded = EntryNameBytes.decode(path);
                if (name.equals(decoded) || name.equals(decoded + "/")) {
                    return name.getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(name)) {
            // Decoded from somewhere other than the PAX paths parsed here; its bytes are not known, so refused.
            throw UnreadableArchive.refused(EntryNameBytes.printable(name.getBytes(StandardCharsets.UTF_8)),
                    "has a name whose bytes cannot be told; rename it");
        }
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Called before the library acts on the PAX headers read so far: a sparse map (GNU.sparse.*) is refused before
     * it is read, and a global path, which would give every entry the same name, is never applied.
     */
    private void vetPaxHeaders() throws UnreadableArchive {
        for (PaxHeader header : paxHeaders) {
            for (PaxRecords.Record record : PaxRecords.parse(header.bytes.toByteArray())) {
                if (record.key().startsWith("GNU.sparse.")) {
                    throw UnreadableArchive.refused(printable(header.entry), "is the header of a sparse file; "
                            + "archives may hold only regular files and folders");
                }
                if (header.entry.isGlobalPaxHeader() && (record.key().equals("path")
                        || record.key().equals("linkpath"))) {
                    throw UnreadableArchive.refused(printable(header.entry), "is a global PAX header naming "
                            + "every entry the same");
                }
            }
        }
    }

    private PaxHeader paxHeader(TarArchiveEntry entry) {
        if (paxHeaders.isEmpty() || paxHeaders.get(paxHeaders.size() - 1).entry != entry) {
            paxHeaders.add(new PaxHeader(entry, new ByteArrayOutputStream()));
        }
        return paxHeaders.get(paxHeaders.size() - 1);
    }

    private static String printable(TarArchiveEntry entry) {
        return EntryNameBytes.printable(entry.getName().getBytes(StandardCharsets.ISO_8859_1));
    }

    private record PaxHeader(TarArchiveEntry entry, ByteArrayOutputStream bytes) {
        byte[] path() {
            byte[] path = null;
            for (PaxRecords.Record record : PaxRecords.parse(bytes.toByteArray())) {
                if (record.key().equals("path")) {
                    path = record.value();
                }
            }
            return path;
        }
    }
}
