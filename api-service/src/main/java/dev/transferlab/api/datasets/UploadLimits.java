package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * What one upload may hold. Checked while it arrives, so going over a limit stops the upload at that point (413) and
 * what was written of it is removed.
 *
 * @param maxUploadBytes    the archive as sent
 * @param maxTotalBytes     all its files unpacked (guards against archive bombs)
 * @param maxFileBytes      one file unpacked
 * @param maxFiles          entries that are files, hidden and skipped ones included
 * @param maxEntries        entries of every kind, folders included: reading an entry costs time whatever it is, and
 *                          a tar.gz of 9 MB holds 4 million folders
 * @param minImagesPerClass fewer training images than this in a class is reported as a warning
 */
public record UploadLimits(long maxUploadBytes, long maxTotalBytes, long maxFileBytes, int maxFiles, int maxEntries,
                           int minImagesPerClass) {

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Content Too Large", detail + "; the upload was refused and nothing of it "
                + "was kept");
    }

    /** The request body, failing with {@link TooLarge} once more than {@link #maxUploadBytes} have arrived. */
    public InputStream limit(InputStream body) {
        return new FilterInputStream(body) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                count(Math.max(n, 0));
                return n;
            }

            private void count(int n) throws TooLarge {
                count += n;
                if (count > maxUploadBytes) {
                    throw new TooLarge("the upload is larger than " + maxUploadBytes + " bytes");
                }
            }
        };
    }

    /** Counts one upload's files against the limits. */
    public Tally tally() {
        return tally(StorageQuota.unlimited());
    }

    /** Counts one upload's files against the limits and against what the tenant's storage quota has left. */
    public Tally tally(StorageQuota quota) {
        return new Tally(quota);
    }

    public final class Tally {
        private int entries;
        private int files;
        private long bytes;
        private final StorageQuota quota;

        private Tally(StorageQuota quota) {
            this.quota = quota;
        }

        /** Any entry, before anything else is done with it. */
        void entry() {
            if (++entries > maxEntries) {
                throw tooLarge("the archive holds more than " + maxEntries + " entries (files and folders)");
            }
        }

        void file(String path, long size) {
            if (++files > maxFiles) {
                throw tooLarge("the archive holds more than " + maxFiles + " files");
            }
            if (size > maxFileBytes) {
                throw tooLarge("'" + path + "' is " + size + " bytes; one file may have at most " + maxFileBytes);
            }
            bytes += size;
            if (bytes > maxTotalBytes) {
                throw tooLarge("the archive unpacks to more than " + maxTotalBytes + " bytes");
            }
            quota.add(size);
        }
    }

    /**
     * An I/O failure, so that it passes unchanged through the decompressors and the S3 client that are reading the
     * body when the limit is crossed; {@link DatasetUploads} turns it into a 413.
     */
    public static final class TooLarge extends IOException {
        public TooLarge(String message) {
            super(message);
        }
    }
}
