package dev.transferlab.worker.ml.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes, in whichever format they appear to be (torch zip, torch legacy, safetensors), read as named tensors or
 * are refused with {@link WeightsFormatException}; the tensors never take more memory than the file's budget.
 */
class WeightsFileFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyFileReadsOrIsRefused(byte[] file) {
        try {
            Map<String, Tensor> tensors = WeightsFile.read(file);
            long floats = tensors.values().stream().mapToLong(tensor -> tensor.data().length).sum();
            assertThat(4 * floats).isLessThanOrEqualTo(StateDicts.tensorBudget(file.length));
        } catch (WeightsFormatException expected) {
            // the documented refusal
        }
    }
}
