package dev.transferlab.worker.ml;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads, decodes and preprocesses images on a bounded pool while the caller's thread runs the backbone on the batches
 * already done, so the device waits on decoding only when the pool cannot keep up.
 *
 * <p>Memory is bounded by the window, not by the number of images: at most {@link #window()} = 2 x batch + threads
 * images are between being handed to the pool and the sink being done with them. Each holds its preprocessed tensor
 * (3 x crop x crop floats: 602 KB at 224) and, only while one of the threads decodes it, its encoded bytes and
 * decoded pixels (about 7 bytes per pixel), which the preprocessor's {@link DecodeBudget} bounds.
 *
 * @param <T> what identifies an image to the loader and the sink
 */
public final class DecodePipeline<T> {

    /** Receives the results on the calling thread, in the order of the input. */
    public interface Sink<T> {
        void batch(List<T> items, List<float[]> images);

        void skipped(T item, String reason);
    }

    private final ImagePreprocessor preprocessor;
    private final int threads;
    private final int batchSize;
    private final int window;

    /**
     * @param threads   decoding threads; {@link #defaultThreads()} sizes them to the cores
     * @param batchSize images per batch handed to the sink
     */
    public DecodePipeline(ImagePreprocessor preprocessor, int threads, int batchSize) {
        if (threads < 1 || batchSize < 1) {
            throw new IllegalArgumentException("threads and batch size must be positive: " + threads + ", "
                    + batchSize);
        }
        this.preprocessor = preprocessor;
        this.threads = threads;
        this.batchSize = batchSize;
        // While the sink works on one batch, the whole next one can be decoded, with no thread idle meanwhile.
        this.window = 2 * batchSize + threads;
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Images between the pool and the sink at most: the pipeline's memory bound. */
    public int window() {
        return window;
    }

    /**
     * Loads and preprocesses every item, handing full batches (the last may be smaller) and skipped items to the
     * sink. An image that cannot be decoded ({@link InvalidImageException}, including one too large to decode) is
     * skipped with its reason; any other failure of the loader ends the run with that failure.
     */
    public void run(List<T> items, Function<T, byte[]> loader, Sink<T> sink) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        try {
            Deque<Future<Decoded<T>>> inFlight = new ArrayDeque<>();
            Iterator<T> next = items.iterator();
            List<T> batchItems = new ArrayList<>(batchSize);
            List<float[]> batch = new ArrayList<>(batchSize);
            while (true) {
                refill(pool, inFlight, batch.size(), next, loader);
                if (inFlight.isEmpty()) {
                    break;
                }
                Decoded<T> decoded = await(inFlight.removeFirst());
                if (decoded.image() == null) {
                    sink.skipped(decoded.item(), decoded.reason());
                    continue;
                }
                batchItems.add(decoded.item());
                batch.add(decoded.image());
                if (batch.size() == batchSize) {
                    // Refilled before the sink runs, so the pool decodes while the backbone works on the batch.
                    refill(pool, inFlight, batch.size(), next, loader);
                    hand(sink, batchItems, batch);
                }
            }
            if (!batch.isEmpty()) {
                hand(sink, batchItems, batch);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void refill(ExecutorService pool, Deque<Future<Decoded<T>>> inFlight, int held, Iterator<T> next,
                        Function<T, byte[]> loader) {
        while (inFlight.size() + held < window && next.hasNext()) {
            inFlight.add(submit(pool, next.next(), loader));
        }
    }

    private static <T> void hand(Sink<T> sink, List<T> items, List<float[]> images) {
        sink.batch(List.copyOf(items), List.copyOf(images));
        items.clear();
        images.clear();
    }

    private Future<Decoded<T>> submit(ExecutorService pool, T item, Function<T, byte[]> loader) {
        return pool.submit(() -> {
            try {
                return new Decoded<>(item, preprocessor.apply(loader.apply(item)), null);
            } catch (InvalidImageException e) {
                return new Decoded<>(item, null, e.getMessage());
            }
        });
    }

    private static <T> Decoded<T> await(Future<Decoded<T>> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "image-decode-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private record Decoded<T>(T item, float[] image, String reason) {
    }
}
