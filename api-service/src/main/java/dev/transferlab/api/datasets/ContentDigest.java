package dev.transferlab.api.datasets;

import dev.transferlab.common.dataset.ContentHash;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 of what passes through, taken once per byte even when the reader marks, resets and reads again: the S3
 * client does so when it retries a request, and a DigestInputStream would then hash those bytes twice, giving the
 * same file a different hash depending on the weather.
 */
final class ContentDigest extends FilterInputStream {
    private final MessageDigest digest = ContentHash.sha256();
    private long position;
    private long digested;
    private long markedAt;

    ContentDigest(InputStream in) {
        super(in);
    }

    String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            if (position == digested) {
                digest.update((byte) b);
                digested++;
            }
            position++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            long fresh = position + n - digested;
            if (fresh > 0) {
                digest.update(buffer, offset + (int) (n - fresh), (int) fresh);
                digested += fresh;
            }
            position += n;
        }
        return n;
    }

    /** Skipped bytes are read, so that none goes unhashed. */
    @Override
    public long skip(long n) throws IOException {
        byte[] discard = new byte[(int) Math.min(n, 8192)];
        long skipped = 0;
        while (skipped < n) {
            int read = read(discard, 0, (int) Math.min(discard.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public synchronized void mark(int readLimit) {
        super.mark(readLimit);
        markedAt = position;
    }

    @Override
    public synchronized void reset() throws IOException {
        super.reset();
        position = markedAt;
    }
}
