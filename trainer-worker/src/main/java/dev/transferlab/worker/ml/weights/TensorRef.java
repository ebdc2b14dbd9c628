package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What torch's {@code _rebuild_tensor_v2} is asked to build: a strided view of a storage. Materialised once the
 * storage bytes are known (a legacy checkpoint stores them after the pickle).
 */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {

    /** Far beyond the 4 of a convolution's weight; it keeps a shape short enough to name in a message. */
    static final int MAX_DIMENSIONS = 64;

    TensorRef {
        if (size.length > MAX_DIMENSIONS) {
            throw new WeightsFormatException("a tensor has " + size.length + " dimensions; at most "
                    + MAX_DIMENSIONS + " are supported");
        }
        if (size.length != stride.length) {
            throw new WeightsFormatException("a tensor has " + size.length + " sizes but " + stride.length
                    + " strides");
        }
    }

    /**
     * Copies the elements this view selects into a row-major float tensor.
     *
     * @param maxElements refuses a tensor of more elements, before it is allocated
     */
    Tensor materialise(String name, ByteBuffer storageData, long maxElements) {
        long count = elementCount(name);
        if (count > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException("tensor '" + name + "' has " + count + " elements, more than one Java "
                    + "array holds");
        }
        if (count > maxElements) {
            throw new WeightsFormatException("tensor '" + name + "' of shape " + Arrays.toString(size) + " has "
                    + count + " elements, more than a file of this size can hold (" + maxElements + " are left)");
        }
        long available = storageData.capacity() / storage.dtype().bytes();
        long end;
        long last;
        try {
            end = Math.min(available, Math.addExact(storage.offset(), storage.size()));
            last = Math.addExact(storage.offset(), offset);
            for (int d = 0; d < size.length; d++) {
                last = Math.addExact(last, size[d] == 0 ? 0 : Math.multiplyExact(size[d] - 1, stride[d]));
            }
        } catch (ArithmeticException e) {
            throw new WeightsFormatException("tensor '" + name + "' has an offset or strides that overflow");
        }
        if (count > 0 && (storage.offset() < 0 || offset < 0 || last >= end)) {
            throw new WeightsFormatException("tensor '" + name + "' of shape " + Arrays.toString(size)
                    + " reaches element " + last + " of storage '" + storage.key() + "', which holds " + end);
        }
        if (storage.dtype() == TorchDType.FLOAT32 && isContiguous()) {
            // The common case, copied in bulk into the engine's form: element by element, a cold JVM takes seconds
            // over DenseNet121, and through a heap array its 32 MB cost young collections and a second copy.
            int length = Math.toIntExact(count * Float.BYTES);
            ByteBuffer values = ByteBuffer.allocateDirect(length)
                    .put(storageData.slice(Math.toIntExact((storage.offset() + offset) * Float.BYTES), length));
            return Tensor.littleEndian(size.clone(), values);
        }
        float[] values = new float[(int) count];
        long[] index = new long[size.length];
        long position = storage.offset() + offset;
        for (int i = 0; i < values.length; i++) {
            values[i] = storage.dtype().read(storageData, position);
            // Odometer over the dimensions, last fastest, moving the storage position by each stride.
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    position += stride[d];
                    break;
                }
                position -= (size[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return new Tensor(size.clone(), values);
    }

    private long elementCount(String name) {
        long count = 1;
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) {
                throw new WeightsFormatException("tensor '" + name + "' has a negative size or stride");
            }
            try {
                count = Math.multiplyExact(count, size[d]);
            } catch (ArithmeticException e) {
                throw new WeightsFormatException("tensor '" + name + "' of shape " + Arrays.toString(size)
                        + " has more elements than a long counts");
            }
        }
        return count;
    }

    private boolean isContiguous() {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }
}
