package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.SplittableRandom;

/**
 * nn.Dropout(p): while training, each value is zeroed with probability p and the rest are scaled by 1/(1-p); otherwise
 * the identity. Its masks are a function of (seed, epoch, batch) alone, drawn on the heap, so a resumed run drops
 * exactly what the uninterrupted one did and concurrent jobs cannot disturb each other (the engine's RNG is shared by
 * the whole process). The trainer names the batch before each forward pass.
 */
final class SeededDropout extends AbstractBlock {

    // Decorrelates the masks from the shuffle and the initialisation, which draw from the same job seed.
    private static final long SALT = 0x6A09E667F3BCC909L;

    private final double p;
    private final long seed;
    private int epoch;
    private int batch;

    SeededDropout(double p, long seed) {
        this.p = p;
        this.seed = seed;
    }

    void forBatch(int epoch, int batch) {
        this.epoch = epoch;
        this.batch = batch;
    }

    /**
     * The factor each value of a batch of {@code size} values is multiplied by: 0 where {@code nextDouble() < p},
     * else 1/(1-p) in float32, as torch's {@code bernoulli_(1-p).div_(1-p)} gives it.
     */
    static float[] noise(double p, long seed, int epoch, int batch, int size) {
        SplittableRandom random = new SplittableRandom(
                SeededShuffle.mix(SeededShuffle.mix(SeededShuffle.mix(seed ^ SALT) + epoch) + batch));
        float kept = 1f / (float) (1 - p);
        float[] noise = new float[size];
        for (int i = 0; i < size; i++) {
            noise[i] = random.nextDouble() < p ? 0f : kept;
        }
        return noise;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (!training) {
            return inputs;
        }
        NDArray input = inputs.singletonOrThrow();
        float[] noise = noise(p, seed, epoch, batch, Math.toIntExact(input.size()));
        return new NDList(input.mul(input.getManager().create(noise, input.getShape())));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
