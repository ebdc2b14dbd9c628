package dev.transferlab.worker.ml.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.nio.ByteBuffer;

/**
 * Any bytes unpickle to plain data or are refused with {@link WeightsFormatException} (an
 * {@link UnsafePickleException} among them): no other exception, no exhausted heap or stack, no endless loop.
 */
class SafeUnpicklerFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyPickleLoadsOrIsRefused(byte[] pickle) {
        try {
            SafeUnpickler.load(ByteBuffer.wrap(pickle), id -> StateDicts.storage(id, 5));
        } catch (WeightsFormatException expected) {
            // the documented refusal
        }
    }
}
