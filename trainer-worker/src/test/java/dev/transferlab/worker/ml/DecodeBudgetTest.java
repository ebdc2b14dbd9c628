package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecodeBudgetTest {

    private static final DeclaredImage SIXTY_MIB = new DeclaredImage("4096x2048 colour JPEG", 4096, 2048, 7);

    @Test
    void anImageOverTheLimitIsRefusedAtOnceNamingWhatItNeeds() {
        DecodeBudget budget = new DecodeBudget(256L << 20, 1L << 30);
        DeclaredImage cmyk = new DeclaredImage("13300x13300 CMYK JPEG", 13_300, 13_300, 8);

        assertThatThrownBy(() -> budget.reserve(cmyk))
                .isInstanceOf(ImageTooLargeException.class)
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("image too large to decode: 13300x13300 CMYK JPEG needs 1350 MiB, the limit is 256 MiB;"
                        + " scale it down to at most 33 megapixels");
    }

    @Test
    void noImageMayTakeMoreThanTheWholeBudget() {
        DecodeBudget budget = new DecodeBudget(512L << 20, 100L << 20);

        assertThat(budget.maxImageBytes()).isEqualTo(100L << 20);
        assertThatThrownBy(() -> budget.reserve(new DeclaredImage("big", 5000, 5000, 7)))
                .hasMessageContaining("the limit is 100 MiB");
    }

    @Test
    void aDecodeThatDoesNotFitNowWaitsForTheOthersToFinish() throws Exception {
        DecodeBudget budget = new DecodeBudget(100L << 20, 100L << 20);
        DecodeBudget.Lease first = budget.reserve(SIXTY_MIB);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<DecodeBudget.Lease> second = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            return budget.reserve(SIXTY_MIB);
        });
        while (waiter.get() == null || waiter.get().getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        assertThat(second).isNotDone();

        first.close();

        second.get().close();
        budget.reserve(SIXTY_MIB).close(); // everything was given back
    }

    @Test
    void budgetZeroMeansHalfTheHeap() {
        assertThat(new DecodeBudget(1L << 20, 0).budgetBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
        assertThatThrownBy(() -> new DecodeBudget(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
