package dev.transferlab.worker.ml;

import java.util.SplittableRandom;

/**
 * Each epoch's order of the training examples, a function of (seed, epoch) alone: a run resumed at epoch k+1 shuffles
 * exactly as the uninterrupted run did without any RNG state in the checkpoint, and concurrent jobs cannot disturb
 * each other's order (DJL's RandomSampler draws from a process-wide RNG, and its swap loop never leaves an element in
 * place).
 */
final class SeededShuffle {

    // Decorrelates the shuffle from the weight initialisation, which draws from the same job seed.
    private static final long SALT = 0x5DEECE66DL;

    private SeededShuffle() {
    }

    static long[] permutation(int size, long seed, int epoch) {
        // Hashing (seed, epoch) matters: SplittableRandom's streams for seeds a fixed step apart are shifted copies
        // of each other, so seeds built linearly from (seed, epoch) would give related orders.
        SplittableRandom random = new SplittableRandom(mix(mix(seed ^ SALT) + epoch));
        long[] order = new long[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        // Fisher-Yates: every permutation equally likely.
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
