package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The bounded pool predictions start on, apart from training and from the Kafka connector's threads (plain threads,
 * which Vert.x's blocked-thread checker does not watch). Every request is answered by its deadline: with its
 * prediction, or with why not (it waited past the deadline, it ran past it, it threw, the queue was full). A request
 * still running at its deadline is interrupted; one that ignores that keeps its thread, and {@link #stalled} says
 * when every thread is held so. The work may hand a request on (to a batch queue) and answer it later: its thread is
 * free meanwhile, and when the deadline comes first the handed-on work is cancelled.
 */
public final class InferencePool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferencePool.class);

    private final ThreadPoolExecutor executor;
    private final int threads;
    private final Map<Thread, Long> runningSince = new ConcurrentHashMap<>();

    public InferencePool(int threads, int queueSize) {
        this.threads = threads;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueSize), r -> {
                    Thread t = new Thread(r, "inference-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The answer to this request: {@code work}'s, or an error at the latest at {@code deadline}. */
    public CompletableFuture<InferenceResult> run(InferenceRequest request, Instant deadline,
                                                  Function<InferenceRequest, CompletableFuture<InferenceResult>> work) {
        CompletableFuture<InferenceResult> answer = new CompletableFuture<>();
        AtomicReference<CompletableFuture<InferenceResult>> started = new AtomicReference<>();
        Future<?> task;
        try {
            task = executor.submit(() -> {
                CompletableFuture<InferenceResult> running = runNow(request, deadline, work);
                started.set(running);
                running.whenComplete((result, failure) -> answer.complete(failure == null ? result
                        : InferenceResult.failure(request, InferenceResult.ErrorCode.INTERNAL,
                        "the worker failed on this request: " + failure)));
                if (answer.isDone()) {
                    running.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(InferenceResult.failure(request,
                    InferenceResult.ErrorCode.OVERLOADED, "this worker has " + executor.getQueue().size()
                            + " predictions waiting already; try again shortly"));
        }
        long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        answer.completeOnTimeout(InferenceResult.failure(request, InferenceResult.ErrorCode.DEADLINE_EXCEEDED,
                "the prediction did not finish by its deadline " + deadline), left, TimeUnit.MILLISECONDS);
        // Done already when it answered itself; otherwise it is dropped from the queue or interrupted, and work it
        // handed on (a batch queue) is cancelled.
        answer.whenComplete((result, failure) -> {
            task.cancel(true);
            CompletableFuture<InferenceResult> running = started.get();
            if (running != null) {
                running.cancel(false);
            }
        });
        return answer;
    }

    private CompletableFuture<InferenceResult> runNow(InferenceRequest request, Instant deadline,
                                   Function<InferenceRequest, CompletableFuture<InferenceResult>> work) {
        if (!Instant.now().isBefore(deadline)) {
            return CompletableFuture.completedFuture(InferenceResult.failure(request,
                    InferenceResult.ErrorCode.DEADLINE_EXCEEDED,
                    "the request's deadline " + deadline + " passed before it could run"));
        }
        runningSince.put(Thread.currentThread(), System.nanoTime());
        try {
            return work.apply(request);
        } catch (Throwable e) {
            // An Error too (a native crash surfacing, an OutOfMemoryError): this request fails, the others go on.
            LOG.errorf(e, "prediction %s failed", request.requestId());
            return CompletableFuture.completedFuture(InferenceResult.failure(request,
                    InferenceResult.ErrorCode.INTERNAL, "the worker failed on this request: " + e));
        } finally {
            runningSince.remove(Thread.currentThread());
        }
    }

    /** Whether every thread has been on one request for longer than {@code limit}: nothing can be answered. */
    public boolean stalled(Duration limit) {
        long now = System.nanoTime();
        return runningSince.values().stream().filter(since -> now - since > limit.toNanos()).count() >= threads;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
