package dev.transferlab.api.datasets.archive;

import java.io.Closeable;
import java.io.IOException;

/** The entries of an uploaded archive, one at a time, so that no more than one file's worth is in flight. */
public interface Archive extends Closeable {

    /** The next entry, or null after the last. */
    ArchiveEntry next() throws IOException;
}
