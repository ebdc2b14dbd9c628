package dev.transferlab.worker.ml;

import java.util.concurrent.Semaphore;

/**
 * The memory image decoding may take: each image at most {@code maxImageBytes}, and all the decodes of a worker
 * (dataset pipelines and predictions) together at most {@code budgetBytes}. Both are checked against what an image's
 * headers declare, before its pixels are decoded, so a small file that declares a huge image never reaches the
 * decoder's allocations: one that can never fit is refused at once, one that fits waits for the others to finish.
 */
public final class DecodeBudget {

    // Permits count KiB, so that budgets beyond 2 GiB fit the semaphore's int.
    private static final int UNIT = 1024;

    private final long maxImageBytes;
    private final long budgetBytes;
    private final Semaphore free;

    /**
     * @param maxImageBytes the most one image's decoding may take
     * @param budgetBytes   the most all concurrent decodes may take together; 0 means half the heap
     */
    public DecodeBudget(long maxImageBytes, long budgetBytes) {
        if (maxImageBytes <= 0 || budgetBytes < 0) {
            throw new IllegalArgumentException("decode limits must be positive: max image " + maxImageBytes
                    + " bytes, budget " + budgetBytes + " bytes");
        }
        this.budgetBytes = budgetBytes > 0 ? budgetBytes : Runtime.getRuntime().maxMemory() / 2;
        // An image larger than the whole budget could never be decoded; the smaller figure is the real limit.
        this.maxImageBytes = Math.min(maxImageBytes, this.budgetBytes);
        this.free = new Semaphore((int) Math.min(Integer.MAX_VALUE, (this.budgetBytes + UNIT - 1) / UNIT), true);
    }

    public long maxImageBytes() {
        return maxImageBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** A reservation, released when the decode is done with its memory. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits until the image's decode fits the shared budget; refuses one that is over the per-image limit. */
    Lease reserve(DeclaredImage image) {
        long need = image.bytes();
        if (need > maxImageBytes) {
            throw new ImageTooLargeException(image, maxImageBytes);
        }
        int units = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (need + UNIT - 1) / UNIT));
        try {
            free.acquire(units);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for memory to decode " + image.description(), e);
        }
        return () -> free.release(units);
    }
}
