package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class SeededShuffleTest {

    @Test
    void eachEpochsOrderIsAPermutationFixedByTheSeedAndTheEpochAlone() {
        long[] order = SeededShuffle.permutation(50, 7L, 3);

        assertThat(Arrays.stream(order).sorted().toArray()).containsExactly(LongStream.range(0, 50).toArray());
        assertThat(SeededShuffle.permutation(50, 7L, 3)).containsExactly(order);
        assertThat(SeededShuffle.permutation(50, 7L, 4)).isNotEqualTo(order);
        assertThat(SeededShuffle.permutation(50, 8L, 3)).isNotEqualTo(order);
    }

    @Test
    void neighbouringSeedsAndEpochsGiveUnrelatedOrders() {
        // Seeds built linearly from (seed, epoch) would make epoch e of seed s replay a shifted stream of another
        // pair; the orders of a grid of nearby pairs must then all differ, and not merely by a rotation.
        Set<String> firstFive = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            for (int epoch = 1; epoch <= 20; epoch++) {
                firstFive.add(Arrays.toString(Arrays.copyOf(SeededShuffle.permutation(1000, seed, epoch), 5)));
            }
        }
        assertThat(firstFive).hasSize(400);
    }

    @Test
    void anElementMayStayInPlace() {
        // DJL's RandomSampler never leaves one in place, so its orders are not uniform; Fisher-Yates does.
        int stayed = 0;
        for (int epoch = 1; epoch <= 200; epoch++) {
            stayed += SeededShuffle.permutation(2, 1L, epoch)[0] == 0 ? 1 : 0;
        }
        assertThat(stayed).isBetween(70, 130);
    }
}
