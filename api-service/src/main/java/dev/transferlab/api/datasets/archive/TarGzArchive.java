package dev.transferlab.api.datasets.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * A tar.gz read straight from the request body: a tar entry's header (type, size) precedes its data, so each file can
 * be checked and passed on while the upload is still arriving.
 */
final class TarGzArchive implements Archive {
    private final BoundedTarInputStream tar;

    TarGzArchive(InputStream body) throws IOException {
        try {
            this.tar = new BoundedTarInputStream(new GZIPInputStream(body, 64 * 1024));
        } catch (IOException e) {
            throw UnreadableArchive.damaged(e);
        }
    }

    @Override
    public ArchiveEntry next() throws IOException {
        TarArchiveEntry entry;
        try {
            entry = tar.getNextEntry();
        } catch (UnreadableArchive e) {
            throw e;
        } catch (IOException e) {
            throw UnreadableArchive.damaged(e);
        }
        if (entry == null) {
            return null;
        }
        String name = EntryNameBytes.decode(tar.nameBytes(entry));
        ArchiveEntry.Type type = typeOf(entry);
        if (type != ArchiveEntry.Type.FILE) {
            return new ArchiveEntry(name, type, entry.getSize(), InputStream.nullInputStream());
        }
        // The reader must not close the archive, nor read into the next entry.
        InputStream content = BoundedInputStream.builder().setInputStream(CloseShieldInputStream.wrap(tar))
                .setMaxCount(entry.getSize()).get();
        return new ArchiveEntry(name, type, entry.getSize(), UnreadableArchive.marking(content));
    }

    /** A file only by one of the types that mean one: devices, FIFOs and types unknown here are not. */
    private static ArchiveEntry.Type typeOf(TarArchiveEntry entry) {
        if (entry.isSymbolicLink() || entry.isLink()) {
            return ArchiveEntry.Type.LINK;
        }
        if (entry.isDirectory()) {
            return ArchiveEntry.Type.DIRECTORY;
        }
        byte flag = entry.getLinkFlag();
        boolean regular = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
                || flag == TarConstants.LF_CONTIG;
        return regular ? ArchiveEntry.Type.FILE : ArchiveEntry.Type.OTHER;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
