package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;

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
     */
    static Map<String, Tensor> tensors(Object root, Function<StorageRef, ByteBuffer> storages) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("the checkpoint holds a " + (root == null ? "None"
                    : root.getClass().getSimpleName()) + ", not a state dict of named tensors");
        }
        if (map.get("state_dict") instanceof Map<?, ?> nested) {
            map = nested;
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getValue() instanceof TensorRef tensor) {
                String name = String.valueOf(entry.getKey());
                tensors.put(name, tensor.materialise(name, storages.apply(tensor.storage())));
            }
        }
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("the checkpoint holds no tensors");
        }
        return tensors;
    }

    /** The parts of a storage's persistent id that both formats share: ('storage', type, key, location, numel, …). */
    static StorageRef storage(java.util.List<Object> id, int expectedLength) {
        if (id.size() != expectedLength || !"storage".equals(id.get(0))
                || !(id.get(1) instanceof TorchGlobals.StorageType type) || !(id.get(4) instanceof Long numel)) {
            throw new IllegalArgumentException("unexpected storage id " + id);
        }
        return new StorageRef(String.valueOf(id.get(2)), type.dtype(), 0, numel);
    }
}
