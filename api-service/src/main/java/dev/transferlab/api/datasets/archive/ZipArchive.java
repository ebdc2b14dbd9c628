package dev.transferlab.api.datasets.archive;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;

/**
 * A zip, read from a file the upload was spooled to. A zip's authoritative entry list, sizes and Unix modes (which
 * alone mark symbolic links) are in its central directory at the very end, so it cannot be vetted while streaming.
 */
final class ZipArchive implements Archive {
    private static final int TYPE_BITS = 0170000;
    private static final int REGULAR = 0100000;
    private static final int DIRECTORY = 0040000;

    private final Path file;
    private final ZipFile zip;
    private final Iterator<ZipArchiveEntry> entries;
    private InputStream current;

    ZipArchive(Path file) throws IOException {
        this.file = file;
        this.zip = ZipFile.builder().setPath(file).get();
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
        if (type != ArchiveEntry.Type.FILE) {
            return new ArchiveEntry(entry.getName(), type, entry.getSize(), InputStream.nullInputStream());
        }
        // A central directory can understate a size (a zip bomb); nothing beyond the declared size is inflated.
        current = BoundedInputStream.builder().setInputStream(zip.getInputStream(entry))
                .setMaxCount(Math.max(0, entry.getSize())).get();
        return new ArchiveEntry(entry.getName(), type, entry.getSize(), UnreadableArchive.marking(current));
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
