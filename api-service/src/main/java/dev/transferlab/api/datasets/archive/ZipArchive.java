package dev.transferlab.api.datasets.archive;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.UnicodePathExtraField;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;
import org.apache.commons.io.input.BoundedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.CRC32;

/**
 * A zip, read from a file the upload was spooled to. A zip's authoritative entry list, sizes and Unix modes (which
 * alone mark symbolic links) are in its central directory at the very end, so it cannot be vetted while streaming.
 */
final class ZipArchive implements Archive {
    // commons-compress would hand other methods (XZ, Zstandard, LZMA) to optional libraries that are not on the
    // classpath, and fail with a NoClassDefFoundError instead of a refusal.
    private static final Set<Integer> READABLE_METHODS = Set.of(ZipEntry.STORED, ZipEntry.DEFLATED,
            ZipMethod.ENHANCED_DEFLATED.getCode());
    private static final int TYPE_BITS = 0170000;
    private static final int REGULAR = 0100000;
    private static final int DIRECTORY = 0040000;

    private final Path file;
    private final ZipFile zip;
    private final Iterator<ZipArchiveEntry> entries;
    private InputStream current;

    ZipArchive(Path file) throws IOException {
        this.file = file;
        // The channel is opened here so that it is closed whatever way the library fails: a zip fuzz run ran out of
        // file descriptors.
        SeekableByteChannel channel = Files.newByteChannel(file);
        try {
            // Names are decoded here, strictly: the library's own decoding replaces what is not UTF-8.
            this.zip = ZipFile.builder().setSeekableByteChannel(channel).setUseUnicodeExtraFields(false).get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw UnreadableArchive.damaged(e);
        }
        this.entries = Collections.list(zip.getEntriesInPhysicalOrder()).iterator();
    }

    @Override
    public ArchiveEntry next() throws IOException {
        closeCurrent();
        if (!entries.hasNext()) {
            return null;
        }
        ZipArchiveEntry entry = entries.next();
        int fileType = entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? entry.getUnixMode() & TYPE_BITS : 0;
        ArchiveEntry.Type type = entry.isUnixSymlink() ? ArchiveEntry.Type.LINK
                : entry.isDirectory() || fileType == DIRECTORY ? ArchiveEntry.Type.DIRECTORY
                : fileType == 0 || fileType == REGULAR ? ArchiveEntry.Type.FILE
                : ArchiveEntry.Type.OTHER;
        String name = EntryNameBytes.decode(nameBytes(entry));
        if (type != ArchiveEntry.Type.FILE) {
            return new ArchiveEntry(name, type, entry.getSize(), InputStream.nullInputStream());
        }
        if (!READABLE_METHODS.contains(entry.getMethod())) {
            throw UnreadableArchive.refused(name, "is compressed with zip method " + entry.getMethod()
                    + "; only stored and deflated entries are read (what zip tools write by default)");
        }
        // A central directory can understate a size (a zip bomb); nothing beyond the declared size is inflated.
        try {
            current = BoundedInputStream.builder().setInputStream(zip.getInputStream(entry))
                    .setMaxCount(Math.max(0, entry.getSize())).get();
        } catch (IOException e) {
            throw UnreadableArchive.damaged(e);
        }
        return new ArchiveEntry(name, type, entry.getSize(), UnreadableArchive.marking(current));
    }

    /**
     * The name's bytes: from Info-ZIP's Unicode path field where one matches the name it stands for (the UTF-8 name
     * of an entry named in a code page), else as stored. Stored names are read as UTF-8 with or without the zip's
     * UTF-8 flag, as the tools that leave the flag off write them; a name in a legacy code page is refused.
     */
    private static byte[] nameBytes(ZipArchiveEntry entry) {
        if (entry.getExtraField(UnicodePathExtraField.UPATH_ID) instanceof UnicodePathExtraField unicode
                && unicode.getUnicodeName() != null) {
            CRC32 crc = new CRC32();
            crc.update(entry.getRawName());
            if (crc.getValue() == unicode.getNameCRC32()) {
                return unicode.getUnicodeName();
            }
        }
        return entry.getRawName();
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            closeCurrent();
            zip.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
