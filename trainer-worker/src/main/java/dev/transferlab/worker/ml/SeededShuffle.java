package dev.transferlab.worker.ml;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * A fresh uniform permutation per epoch from the job's own RNG. DJL's RandomSampler draws from a process-wide RNG
 * (so concurrent jobs would disturb each other's order) and its swap loop never leaves an element in place.
 */
final class SeededShuffle implements Sampler.SubSampler {

    private final Random random;

    SeededShuffle(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public Iterator<Long> sample(RandomAccessDataset dataset) {
        long[] order = LongStream.range(0, dataset.size()).toArray();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return Arrays.stream(order).iterator();
    }
}
