package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes read as safetensors (tensors and metadata) or are refused with {@link WeightsFormatException}; the
 * tensors never hold more floats than the file has data bytes (U8 widens 1 byte to one float).
 */
class SafeTensorsFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyFileReadsOrIsRefused(byte[] file) {
        try {
            SafeTensors.metadata(file);
            Map<String, Tensor> tensors = SafeTensors.read(file);
            long floats = tensors.values().stream().mapToLong(tensor -> tensor.data().length).sum();
            assertThat(floats).isLessThanOrEqualTo(file.length);
        } catch (WeightsFormatException expected) {
            // the documented refusal
        }
    }
}
