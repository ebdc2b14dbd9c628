package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Bulkheads of predictions: whatever one request does, it is answered, and the next ones are too. */
class InferencePoolTest {
    private static final InferenceRequest REQUEST = InferenceRequest.of("r1", "default", "m1", new byte[1]);

    private final InferencePool pool = new InferencePool(1, 4);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        pool.close();
    }

    private static CompletableFuture<InferenceResult> ok(InferenceRequest r) {
        return CompletableFuture.completedFuture(
                InferenceResult.success(r, List.of(new InferenceResult.Prediction("cat", 1))));
    }

    private static Instant in(Duration d) {
        return Instant.now().plus(d);
    }

    @Test
    void aRequestThatThrowsAnErrorIsAnsweredInternalAndTheNextOneRuns() throws Exception {
        InferenceResult crashed = pool.run(REQUEST, in(Duration.ofMinutes(1)), r -> {
            throw new OutOfMemoryError("Java heap space");
        }).get(1, TimeUnit.MINUTES);
        assertThat(crashed.error().code()).isEqualTo(InferenceResult.ErrorCode.INTERNAL);
        assertThat(crashed.error().detail()).contains("OutOfMemoryError");

        assertThat(pool.run(REQUEST, in(Duration.ofMinutes(1)), InferencePoolTest::ok).get(1, TimeUnit.MINUTES)
                .error()).isNull();
    }

    @Test
    void aStuckRequestIsAnsweredAtItsDeadlineAndThoseQueuedBehindItAreAnsweredTooWithoutRunning() throws Exception {
        var stuck = pool.run(REQUEST, in(Duration.ofMillis(300)), r -> {
            awaitUninterruptibly(release);
            return ok(r);
        });
        var queued = pool.run(REQUEST, in(Duration.ofMillis(300)), r -> {
            throw new AssertionError("a request past its deadline must not run");
        });

        assertThat(stuck.get(1, TimeUnit.MINUTES).error().code())
                .isEqualTo(InferenceResult.ErrorCode.DEADLINE_EXCEEDED);
        assertThat(queued.get(1, TimeUnit.MINUTES).error().code())
                .isEqualTo(InferenceResult.ErrorCode.DEADLINE_EXCEEDED);
        // The only thread still ignores its interruption: that, and only that, is a stall.
        assertThat(pool.stalled(Duration.ZERO)).isTrue();
        assertThat(pool.stalled(Duration.ofHours(1))).isFalse();

        release.countDown();
        assertThat(pool.run(REQUEST, in(Duration.ofMinutes(1)), InferencePoolTest::ok).get(1, TimeUnit.MINUTES)
                .error()).isNull();
        assertThat(pool.stalled(Duration.ZERO)).isFalse();
    }

    @Test
    void aRequestAlreadyPastItsDeadlineIsAnsweredWithoutRunning() throws Exception {
        InferenceResult late = pool.run(REQUEST, Instant.now().minusSeconds(1), r -> {
            throw new AssertionError("must not run");
        }).get(1, TimeUnit.MINUTES);
        assertThat(late.error().code()).isEqualTo(InferenceResult.ErrorCode.DEADLINE_EXCEEDED);
    }

    @Test
    void aFullQueueIsAnsweredOverloaded() throws Exception {
        for (int i = 0; i < 5; i++) {
            pool.run(REQUEST, in(Duration.ofMinutes(1)), r -> {
                awaitUninterruptibly(release);
                return ok(r);
            });
        }
        InferenceResult refused = pool.run(REQUEST, in(Duration.ofMinutes(1)), InferencePoolTest::ok)
                .get(1, TimeUnit.MINUTES);
        assertThat(refused.error().code()).isEqualTo(InferenceResult.ErrorCode.OVERLOADED);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // A stuck native call behaves like this: it does not notice the interruption.
            }
        }
    }
}
