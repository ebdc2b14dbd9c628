package dev.transferlab.worker.ml;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A float tensor in row-major order: the exchange format between weight files, the engine and storage. Its values
 * are either a heap array or little-endian float32 in a direct buffer, the form the engine reads without a copy
 * (weights read from a file come so: DenseNet121's 32 MB then never pass through the heap). Neither is copied when
 * the tensor is made, so a multi-megabyte weight is not duplicated; treat them as read-only.
 */
public final class Tensor {

    private final long[] shape;
    private final float[] array;
    private final ByteBuffer direct;

    public Tensor(long[] shape, float[] data) {
        this(shape, Objects.requireNonNull(data, "data"), null, data.length);
    }

    private Tensor(long[] shape, float[] array, ByteBuffer direct, long length) {
        Objects.requireNonNull(shape, "shape");
        long count = elementCount(shape);
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements but " + length + " were given");
        }
        this.shape = shape;
        this.array = array;
        this.direct = direct;
    }

    /** A tensor over a direct buffer of little-endian float32 values, all of its bytes, without a copy. */
    public static Tensor littleEndian(long[] shape, ByteBuffer values) {
        if (!values.isDirect() || values.capacity() % Float.BYTES != 0) {
            throw new IllegalArgumentException("not a direct buffer of floats: " + values);
        }
        return new Tensor(shape, null, values.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN),
                values.capacity() / Float.BYTES);
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

    public long[] shape() {
        return shape;
    }

    public int size() {
        return array != null ? array.length : direct.capacity() / Float.BYTES;
    }

    /** The values on the heap: the tensor's own array, or a copy of its direct buffer. */
    public float[] data() {
        if (array != null) {
            return array;
        }
        float[] copy = new float[size()];
        direct.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(copy);
        return copy;
    }

    /**
     * The values as little-endian float32 in a direct buffer, the form the engine reads without copying: libtorch's
     * byte order on every platform it ships for (x86-64, aarch64), and the one the weights are hashed in. The
     * tensor's own buffer (a fresh view of it) or, for a heap tensor, a copy.
     */
    public ByteBuffer littleEndian() {
        if (direct != null) {
            return direct.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(array.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(array);
        return bytes;
    }

    // Weights are compared by value, whichever memory holds them.
    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that && Arrays.equals(shape, that.shape) && Arrays.equals(data(), that.data());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data());
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
