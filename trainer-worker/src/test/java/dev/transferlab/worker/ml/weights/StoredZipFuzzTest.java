package dev.transferlab.worker.ml.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes open as a zip whose every entry reads, or are refused with {@link WeightsFormatException}; what the
 * entries inflate to stays within the archive's inflation budget.
 */
class StoredZipFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyArchiveReadsOrIsRefused(byte[] archive) {
        try {
            StoredZip zip = StoredZip.of(archive);
            long total = 0;
            for (String name : zip.names()) {
                total += zip.read(name).map(ByteBuffer::remaining).orElseThrow();
            }
            assertThat(total).isLessThanOrEqualTo(StoredZip.inflationBudget(archive.length));
        } catch (WeightsFormatException expected) {
            // the documented refusal
        }
    }
}
