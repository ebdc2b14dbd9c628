package dev.transferlab.worker.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * Groups concurrent inputs for one key (a model) into one call of {@code run}, as DJL Serving and Triton batch
 * requests: a key's batch goes as soon as it holds {@code maxBatchSize} inputs, or once the oldest of them has waited
 * {@code maxDelay}. With a zero delay nothing waits: whatever queued while the
 * previous batch ran goes next, so a lone request pays no delay and a busy worker batches by itself.
 * <p>
 * One thread runs the batches, one at a time: a forward pass already uses every core (or the whole GPU), so two at
 * once would only contend. Of the keys whose batch may go, the one whose oldest input arrived first goes first, so a
 * busy model cannot starve another. An input whose future is already complete (cancelled: nobody waits for it) is dropped unrun.
 *
 * @param <K> what inputs are grouped by; compared with {@code equals}
 */
public final class DynamicBatcher<K, I, O> implements AutoCloseable {

    public record Settings(int maxBatchSize, Duration maxDelay) {
        public Settings {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("the maximum batch size must be at least 1, not " + maxBatchSize);
            }
            if (maxDelay.isNegative()) {
                throw new IllegalArgumentException("the maximum queue delay must not be negative: " + maxDelay);
            }
        }
    }

    private final class Pending {
        final K key;
        final I input;
        final long queuedAt = System.nanoTime();
        final CompletableFuture<O> result = new CompletableFuture<>();

        Pending(K key, I input) {
            this.key = key;
            this.input = input;
        }
    }

    private final Settings settings;
    private final BiFunction<K, List<I>, List<O>> run;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LinkedList<Pending> queue = new LinkedList<>();
    private final Thread runner;
    private final LongAdder batchesRun = new LongAdder();
    private final LongAdder inputsRun = new LongAdder();
    private volatile long batchStartedAt;
    private volatile boolean running;
    private boolean closed;

    /** @param run answers a batch of inputs for one key with one output per input, in order */
    public DynamicBatcher(String name, Settings settings, BiFunction<K, List<I>, List<O>> run) {
        this.settings = settings;
        this.run = run;
        this.runner = new Thread(this::runBatches, name);
        runner.setDaemon(true);
        runner.start();
    }

    public Settings settings() {
        return settings;
    }

    /** The output for this input, once its batch has run; cancel it to drop the input if it has not run yet. */
    public CompletableFuture<O> submit(K key, I input) {
        Pending pending = new Pending(key, input);
        lock.lock();
        try {
            if (closed) {
                pending.result.completeExceptionally(new CancellationException("the batcher is closed"));
            } else {
                queue.add(pending);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        return pending.result;
    }

    /** Batches run so far: with {@link #inputsRun()}, the mean batch size. */
    public long batchesRun() {
        return batchesRun.sum();
    }

    public long inputsRun() {
        return inputsRun.sum();
    }

    /** Whether a batch has been running for longer than {@code limit}: no later input can be answered. */
    public boolean stalled(Duration limit) {
        return running && System.nanoTime() - batchStartedAt > limit.toNanos();
    }

    private void runBatches() {
        while (true) {
            List<Pending> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            batchStartedAt = System.nanoTime();
            running = true;
            batchesRun.increment();
            inputsRun.add(batch.size());
            try {
                List<O> outputs = run.apply(batch.get(0).key, batch.stream().map(p -> p.input).toList());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result.complete(outputs.get(i));
                }
            } catch (Throwable e) {
                // An Error too (a native failure surfacing): this batch fails, the next one runs.
                batch.forEach(p -> p.result.completeExceptionally(e));
            } finally {
                running = false;
            }
        }
    }

    /** The next batch to run, waiting as the settings say; null once closed. */
    private List<Pending> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                queue.removeIf(p -> p.result.isDone());
                if (queue.isEmpty()) {
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                long waitNanos = Long.MAX_VALUE;
                for (Map.Entry<K, long[]> key : oldestAndCountByKey().entrySet()) {
                    long left = key.getValue()[0] + settings.maxDelay().toNanos() - now;
                    if (left <= 0 || key.getValue()[1] >= settings.maxBatchSize()) {
                        return take(key.getKey());
                    }
                    waitNanos = Math.min(waitNanos, left);
                }
                changed.awaitNanos(waitNanos);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** For each key in the queue, oldest first: when its oldest input queued, and how many it has. */
    private Map<K, long[]> oldestAndCountByKey() {
        Map<K, long[]> byKey = new LinkedHashMap<>();
        for (Pending p : queue) {
            byKey.computeIfAbsent(p.key, k -> new long[]{p.queuedAt, 0})[1]++;
        }
        return byKey;
    }

    private List<Pending> take(K key) {
        List<Pending> batch = new ArrayList<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && batch.size() < settings.maxBatchSize(); ) {
            Pending p = it.next();
            if (p.key.equals(key)) {
                batch.add(p);
                it.remove();
            }
        }
        return batch;
    }

    /** Fails what is still queued; a batch already running finishes. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.forEach(p -> p.result.completeExceptionally(new CancellationException("the batcher is closed")));
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
