package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Feature tables in object storage, one object per key. An object is written whole by one PUT, which S3 makes
 * atomic: two workers computing the same features at once both write a complete table (the same values, as the
 * backbone is deterministic), the last write stays, and a reader sees one complete table or none, never a mix.
 */
public final class FeatureCache {
    private static final Logger LOG = Logger.getLogger(FeatureCache.class.getName());

    private final ObjectStore store;

    public FeatureCache(ObjectStore store) {
        this.store = store;
    }

    /** The cached table, or empty when there is none or it cannot be read (then it is simply computed again). */
    public Optional<FeatureTable> read(ObjectLocation key) {
        Optional<InputStream> stream = store.open(key);
        if (stream.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = new BufferedInputStream(stream.get(), 1 << 16)) {
            return Optional.of(FeatureTable.read(in));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "the cached features at " + key + " are unreadable; computing them again", e);
            return Optional.empty();
        }
    }

    /** Streams the table to a temporary file, then uploads that, so it is never in memory twice. */
    public void write(ObjectLocation key, FeatureTable table) {
        Path file = null;
        try {
            file = Files.createTempFile("features-", ".bin");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                table.write(out);
            }
            store.put(key, file, "application/octet-stream");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature cache " + key, e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warning("cannot delete " + file + ": " + e.getMessage());
                }
            }
        }
    }
}
