package dev.transferlab.worker.ml;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float tensor on the Java heap, in row-major order: the exchange format between weight files, the engine and
 * storage. The arrays are not copied, so a multi-megabyte weight is not duplicated; treat them as read-only.
 */
public record Tensor(long[] shape, float[] data) {

    public Tensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements but " + data.length + " were given");
        }
    }

    /** Number of elements a tensor of this shape holds; the empty shape is a scalar. */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    // Records compare arrays by identity; weights are compared by value.
    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that && Arrays.equals(shape, that.shape) && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
