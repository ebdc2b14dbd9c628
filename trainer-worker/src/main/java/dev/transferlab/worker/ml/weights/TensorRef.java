package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What torch's {@code _rebuild_tensor_v2} is asked to build: a strided view of a storage. Materialised once the
 * storage bytes are known (a legacy checkpoint stores them after the pickle).
 */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {

    TensorRef {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("a tensor has " + size.length + " sizes but " + stride.length
                    + " strides");
        }
    }

    /** Copies the elements this view selects into a row-major float tensor. */
    Tensor materialise(String name, ByteBuffer storageData) {
        long available = storageData.capacity() / storage.dtype().bytes();
        long count = Tensor.elementCount(size);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + count + " elements, too many");
        }
        long last = storage.offset() + offset;
        for (int d = 0; d < size.length; d++) {
            if (stride[d] < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative stride");
            }
            last += size[d] == 0 ? 0 : (size[d] - 1) * stride[d];
        }
        if (count > 0 && (offset < 0 || last >= Math.min(available, storage.offset() + storage.size()))) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(size)
                    + " reaches element " + last + " of storage '" + storage.key() + "', which holds "
                    + Math.min(available, storage.offset() + storage.size()));
        }
        float[] values = new float[(int) count];
        if (storage.dtype() == TorchDType.FLOAT32 && isContiguous()) {
            // The common case, copied in bulk: element-wise reading makes a cold JVM take seconds over DenseNet121.
            storageData.slice(Math.toIntExact((storage.offset() + offset) * 4), values.length * 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return new Tensor(size.clone(), values);
        }
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
