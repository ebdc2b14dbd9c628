package dev.transferlab.api.datasets.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one failure of reading an archive: it is cut off or corrupt, or it holds a header this service will not read
 * (a name over the bound, a sparse file, a name that is not UTF-8). The message is for the uploader, whose archive it
 * is to fix (422). An I/O failure, so that it passes unchanged through the library reading the entry's content (the
 * S3 client streaming it on), which wraps it like any other I/O failure; an unreachable store is not the uploader's.
 */
public final class UnreadableArchive extends IOException {

    private UnreadableArchive(String message, Throwable cause) {
        super(message, cause);
    }

    /** Cut off or corrupt, as the reading library found it. */
    public static UnreadableArchive damaged(Exception cause) {
        return new UnreadableArchive("the archive cannot be read (" + cause.getMessage() + "); upload a complete zip "
                + "or tar.gz file", cause);
    }

    /** One entry, named as {@link EntryNameBytes#printable} shows it, refused before it is read. */
    static UnreadableArchive refused(String name, String why) {
        return new UnreadableArchive("the archive entry '" + name + "' " + why + "; the upload was refused and "
                + "nothing of it was kept", null);
    }

    /** An entry's content, with every failure of reading it marked as the archive's. */
    static InputStream marking(InputStream content) {
        return new FilterInputStream(content) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw e instanceof UnreadableArchive u ? u : damaged(e);
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return super.read(buffer, offset, length);
                } catch (IOException e) {
                    throw e instanceof UnreadableArchive u ? u : damaged(e);
                }
            }
        };
    }
}
