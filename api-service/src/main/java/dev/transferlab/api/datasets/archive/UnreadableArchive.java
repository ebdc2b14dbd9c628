package dev.transferlab.api.datasets.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The archive itself failed while a file was read from it (cut off, corrupt). Marked so, because the reader is often
 * another library (the S3 client streaming the file on) that wraps it like any other I/O failure, and a broken upload
 * is the uploader's to fix (422), where an unreachable store is not.
 */
public final class UnreadableArchive extends IOException {

    UnreadableArchive(IOException cause) {
        super(cause.getMessage(), cause);
    }

    /** An entry's content, with every failure of reading it marked as the archive's. */
    static InputStream marking(InputStream content) {
        return new FilterInputStream(content) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw new UnreadableArchive(e);
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return super.read(buffer, offset, length);
                } catch (IOException e) {
                    throw new UnreadableArchive(e);
                }
            }
        };
    }
}
