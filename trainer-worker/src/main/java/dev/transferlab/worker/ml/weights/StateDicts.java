package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Turns an unpickled checkpoint into named tensors, once its storages can be read. */
final class StateDicts {

    private StateDicts() {
    }

    /**
     * The checkpoint's tensors by name. A bare state dict is the common case; a training checkpoint that keeps it
     * under "state_dict" is accepted too. Entries that are not tensors (counters, extra state) are left out.
     *
     * @param fileLength the length of the whole file, which sets {@link #tensorBudget}
     */
    static Map<String, Tensor> tensors(Object root, Function<StorageRef, ByteBuffer> storages, long fileLength) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new WeightsFormatException("the checkpoint holds " + PickledValues.describe(root)
                    + ", not a state dict of named tensors");
        }
        if (map.get("state_dict") instanceof Map<?, ?> nested) {
            map = nested;
        }
        long budget = tensorBudget(fileLength);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getValue() instanceof TensorRef tensor) {
                String name = String.valueOf(entry.getKey());
                Tensor read = tensor.materialise(name, storages.apply(tensor.storage()), budget / Float.BYTES);
                budget -= (long) Float.BYTES * read.size();
                tensors.put(name, read);
            }
        }
        if (tensors.isEmpty()) {
            throw new WeightsFormatException("the checkpoint holds no tensors");
        }
        return tensors;
    }

    /**
     * The most bytes of floats a file of this length may be read as. Widening int8 to float takes 4 bytes per byte
     * and views may share a storage, but a file cannot declare a tensor larger than this: a view with stride 0, or
     * many views of one storage, would otherwise make a small file exhaust the heap.
     */
    static long tensorBudget(long fileLength) {
        return 8 * fileLength;
    }

    /** The parts of a storage's persistent id that both formats share: ('storage', type, key, location, numel, …). */
    static StorageRef storage(java.util.List<Object> id, int expectedLength) {
        if (id.size() != expectedLength || !"storage".equals(id.get(0))
                || !(id.get(1) instanceof TorchGlobals.StorageType type) || !(id.get(2) instanceof String key)
                || !(id.get(4) instanceof Long numel) || numel < 0) {
            throw new WeightsFormatException("unexpected storage id " + PickledValues.describe(id));
        }
        return new StorageRef(key, type.dtype(), 0, numel);
    }
}
