package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A checkpoint read back from object storage may be damaged: any bytes give a {@link HeadCheckpoint} or a
 * {@link WeightsFormatException}, which the job can report, never another exception.
 */
class HeadCheckpointFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyStoredCheckpointReadsOrIsRefused(byte[] file) {
        try {
            HeadCheckpoint.fromBytes(file);
        } catch (WeightsFormatException expected) {
            // the documented refusal
        }
    }
}
