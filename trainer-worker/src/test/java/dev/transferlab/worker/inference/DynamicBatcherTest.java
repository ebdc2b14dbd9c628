package dev.transferlab.worker.inference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How requests are grouped: deterministic, because every batch that matters forms while a gated batch runs. */
class DynamicBatcherTest {
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch gateRunning = new CountDownLatch(1);
    private final List<String> batches = Collections.synchronizedList(new ArrayList<>());
    private DynamicBatcher<String, Integer, String> batcher;

    @AfterEach
    void close() {
        gate.countDown();
        if (batcher != null) {
            batcher.close();
        }
    }

    /** Answers each input with key:input; the key "gate" holds its batch until the test opens the gate. */
    private DynamicBatcher<String, Integer, String> batcher(int maxBatch, Duration maxDelay) {
        batcher = new DynamicBatcher<>("test-batches", new DynamicBatcher.Settings(maxBatch, maxDelay),
                (key, inputs) -> {
                    batches.add(key + inputs);
                    if (key.equals("gate")) {
                        gateRunning.countDown();
                        await(gate);
                    }
                    if (key.equals("broken")) {
                        throw new IllegalStateException("the forward pass failed");
                    }
                    return inputs.stream().map(i -> key + ":" + i).toList();
                });
        return batcher;
    }

    private CompletableFuture<String> holdTheRunner() throws InterruptedException {
        CompletableFuture<String> held = batcher.submit("gate", 0);
        assertThat(gateRunning.await(1, TimeUnit.MINUTES)).isTrue();
        return held;
    }

    @Test
    void whatQueuesWhileABatchRunsGoesNextInBatchesOfOneModelUpToTheMaximumOldestFirst() throws Exception {
        batcher(4, Duration.ZERO);
        holdTheRunner();
        List<CompletableFuture<String>> a = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            a.add(batcher.submit("a", i));
        }
        CompletableFuture<String> b1 = batcher.submit("b", 1);
        CompletableFuture<String> b2 = batcher.submit("b", 2);
        a.add(batcher.submit("a", 6));
        gate.countDown();

        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).get(1, TimeUnit.MINUTES)).isEqualTo("a:" + (i + 1));
        }
        assertThat(b1.get(1, TimeUnit.MINUTES)).isEqualTo("b:1");
        assertThat(b2.get(1, TimeUnit.MINUTES)).isEqualTo("b:2");
        assertThat(batches).containsExactly("gate[0]", "a[1, 2, 3, 4]", "a[5, 6]", "b[1, 2]");
    }

    @Test
    void aFullBatchGoesAtOnceButAPartialOneWaitsForTheDelay() throws Exception {
        batcher(3, Duration.ofHours(1));
        CompletableFuture<String> lone = batcher.submit("b", 1);
        List<CompletableFuture<String>> full = List.of(batcher.submit("a", 1), batcher.submit("a", 2),
                batcher.submit("a", 3));

        assertThat(full.get(2).get(1, TimeUnit.MINUTES)).isEqualTo("a:3");
        Thread.sleep(200);
        assertThat(lone).isNotDone();
        assertThat(batches).containsExactly("a[1, 2, 3]");
    }

    @Test
    void aPartialBatchRunsOnceItsOldestInputHasWaitedTheDelay() throws Exception {
        batcher(8, Duration.ofMillis(50));
        CompletableFuture<String> first = batcher.submit("a", 1);
        assertThat(first.get(1, TimeUnit.MINUTES)).isEqualTo("a:1");
    }

    @Test
    void aFailedBatchFailsOnlyItsOwnInputsAndTheNextBatchRuns() throws Exception {
        batcher(4, Duration.ZERO);
        holdTheRunner();
        CompletableFuture<String> broken = batcher.submit("broken", 1);
        CompletableFuture<String> fine = batcher.submit("a", 1);
        gate.countDown();

        assertThatThrownBy(() -> broken.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("the forward pass failed");
        assertThat(fine.get(1, TimeUnit.MINUTES)).isEqualTo("a:1");
    }

    @Test
    void aCancelledInputIsNotRun() throws Exception {
        batcher(4, Duration.ZERO);
        holdTheRunner();
        batcher.submit("a", 1).cancel(false);
        CompletableFuture<String> kept = batcher.submit("a", 2);
        gate.countDown();

        assertThat(kept.get(1, TimeUnit.MINUTES)).isEqualTo("a:2");
        assertThat(batches).containsExactly("gate[0]", "a[2]");
    }

    @Test
    void aLongForwardPassIsAStallAndClosingFailsWhatIsQueued() throws Exception {
        batcher(4, Duration.ZERO);
        holdTheRunner();
        CompletableFuture<String> queued = batcher.submit("a", 1);
        assertThat(batcher.stalled(Duration.ZERO)).isTrue();
        assertThat(batcher.stalled(Duration.ofHours(1))).isFalse();

        batcher.close();
        assertThatThrownBy(() -> queued.get(1, TimeUnit.MINUTES)).isInstanceOf(CancellationException.class);
        assertThat(batcher.submit("a", 2)).isCompletedExceptionally();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
