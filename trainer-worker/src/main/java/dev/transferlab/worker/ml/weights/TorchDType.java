package dev.transferlab.worker.ml.weights;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** The element types a torch storage can hold, named as torch pickles them ({@code torch.FloatStorage} and so on). */
enum TorchDType {
    FLOAT32("FloatStorage", 4),
    FLOAT64("DoubleStorage", 8),
    FLOAT16("HalfStorage", 2),
    BFLOAT16("BFloat16Storage", 2),
    INT64("LongStorage", 8),
    INT32("IntStorage", 4),
    INT16("ShortStorage", 2),
    INT8("CharStorage", 1),
    UINT8("ByteStorage", 1),
    BOOL("BoolStorage", 1);

    private final String storageName;
    private final int bytes;

    TorchDType(String storageName, int bytes) {
        this.storageName = storageName;
        this.bytes = bytes;
    }

    static Optional<TorchDType> ofStorageName(String name) {
        return Arrays.stream(values()).filter(type -> type.storageName.equals(name)).findFirst();
    }

    String storageName() {
        return storageName;
    }

    int bytes() {
        return bytes;
    }

    /** Element {@code index} of a little-endian buffer, widened (or, for 64-bit integers, rounded) to float. */
    float read(ByteBuffer data, long index) {
        int at = Math.toIntExact(index * bytes);
        return switch (this) {
            case FLOAT32 -> data.getFloat(at);
            case FLOAT64 -> (float) data.getDouble(at);
            case FLOAT16 -> dev.transferlab.worker.ml.HalfFloats.fromHalf(data.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
            case INT64 -> data.getLong(at);
            case INT32 -> data.getInt(at);
            case INT16 -> data.getShort(at);
            case INT8 -> data.get(at);
            case UINT8, BOOL -> data.get(at) & 0xff;
        };
    }
}
