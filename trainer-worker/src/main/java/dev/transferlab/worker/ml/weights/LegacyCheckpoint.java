package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The format of {@code torch.save} before torch 1.6, in which torchvision's published weights are stored: four
 * pickles (magic number, protocol version, system info, the object) and a pickled list of storage keys, followed by
 * each storage in that order as an int64 element count and the raw little-endian elements.
 */
final class LegacyCheckpoint {

    static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;

    private LegacyCheckpoint() {
    }

    static Map<String, Tensor> read(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Object magic = SafeUnpickler.load(in, null);
        if (!MAGIC_NUMBER.equals(magic instanceof Long small ? BigInteger.valueOf(small) : magic)) {
            throw new WeightsFormatException("not a torch checkpoint: the legacy format's magic number is missing");
        }
        if (!Long.valueOf(PROTOCOL_VERSION).equals(SafeUnpickler.load(in, null))) {
            throw new WeightsFormatException("unsupported legacy checkpoint protocol; expected " + PROTOCOL_VERSION);
        }
        if (SafeUnpickler.load(in, null) instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new WeightsFormatException("the checkpoint was written big-endian; only little-endian is "
                    + "supported");
        }
        Map<String, StorageRef> roots = new HashMap<>();
        Object state = SafeUnpickler.load(in, id -> storage(id, roots));
        if (!(SafeUnpickler.load(in, null) instanceof List<?> keys)) {
            throw new WeightsFormatException("the checkpoint's list of storage keys is missing");
        }
        Map<String, ByteBuffer> data = new HashMap<>();
        for (Object key : keys) {
            StorageRef root = key instanceof String name ? roots.get(name) : null;
            if (root == null) {
                throw new WeightsFormatException("the checkpoint stores storage " + PickledValues.describe(key)
                        + ", which no tensor uses");
            }
            if (data.containsKey(root.key())) {
                throw new WeightsFormatException("the checkpoint stores storage " + root.key() + " twice");
            }
            if (in.remaining() < Long.BYTES) {
                throw new WeightsFormatException("the checkpoint is truncated before storage " + root.key());
            }
            long count = in.getLong();
            if (count != root.size()) {
                throw new WeightsFormatException("storage " + root.key() + " holds " + count + " elements but the "
                        + "checkpoint declared " + root.size());
            }
            // Checked by division: count * bytes may overflow a long.
            if (count > in.remaining() / root.dtype().bytes()) {
                throw new WeightsFormatException("the checkpoint is truncated inside storage " + root.key() + ": "
                        + count + " elements of " + root.dtype().bytes() + " bytes do not fit in the "
                        + in.remaining() + " bytes left");
            }
            int length = (int) count * root.dtype().bytes();
            data.put(root.key(), in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN));
            in.position(in.position() + length);
        }
        return StateDicts.tensors(state, storage -> {
            ByteBuffer bytesOfRoot = data.get(storage.key());
            if (bytesOfRoot == null) {
                throw new WeightsFormatException("the checkpoint lacks the bytes of storage " + storage.key());
            }
            return bytesOfRoot;
        }, in.capacity());
    }

    /** ('storage', type, root key, location, root size, view) where view is None or (view key, offset, size). */
    private static StorageRef storage(List<Object> id, Map<String, StorageRef> roots) {
        StorageRef root = StateDicts.storage(id, 6);
        roots.putIfAbsent(root.key(), root);
        if (id.get(5) == null) {
            return root;
        }
        if (!(id.get(5) instanceof List<?> view) || view.size() != 3 || !(view.get(1) instanceof Long offset)
                || !(view.get(2) instanceof Long size) || offset < 0 || size < 0) {
            throw new WeightsFormatException("unexpected storage view " + PickledValues.describe(id.get(5)));
        }
        return new StorageRef(root.key(), root.dtype(), offset, size);
    }
}
