package dev.transferlab.api.datasets.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * A tar.gz read straight from the request body: a tar entry's header (type, size) precedes its data, so each file can
 * be checked and passed on while the upload is still arriving.
 */
final class TarGzArchive implements Archive {
    private final TarArchiveInputStream tar;

    TarGzArchive(InputStream body) throws IOException {
        this.tar = new TarArchiveInputStream(new GZIPInputStream(body, 64 * 1024), StandardCharsets.UTF_8.name());
    }

    @Override
    public ArchiveEntry next() throws IOException {
        TarArchiveEntry entry = tar.getNextEntry();
        if (entry == null) {
            return null;
        }
        ArchiveEntry.Type type = entry.isSymbolicLink() || entry.isLink() ? ArchiveEntry.Type.LINK
                : entry.isDirectory() ? ArchiveEntry.Type.DIRECTORY
                : entry.isFile() ? ArchiveEntry.Type.FILE
                : ArchiveEntry.Type.OTHER;
        // The reader must not close the archive, nor read into the next entry.
        InputStream content = BoundedInputStream.builder().setInputStream(CloseShieldInputStream.wrap(tar))
                .setMaxCount(entry.getSize()).get();
        return new ArchiveEntry(entry.getName(), type, entry.getSize(), UnreadableArchive.marking(content));
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
