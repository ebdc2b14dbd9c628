package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.common.model.PreprocessingSpec;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decode entry point that datasets and predictions use, {@link ImagePreprocessor#apply}: any bytes give a tensor
 * or an {@link InvalidImageException} (of which {@link ImageTooLargeException} is one), never another exception or a
 * hang. The budget is small (4 MiB per image), the cheap guard that keeps the fuzzer from asking for huge
 * allocations: a header that declares more is refused before the decoder allocates it, which is itself under test.
 */
class ImageDecoderFuzzTest {

    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(
            new PreprocessingSpec(20, 16, false, List.of(), List.of()), new DecodeBudget(4L << 20, 16L << 20));

    @FuzzTest(maxDuration = "")
    void anyBytesDecodeOrAreRefused(byte[] data) {
        try {
            assertThat(PREPROCESSOR.apply(data)).hasSize(3 * 16 * 16);
        } catch (InvalidImageException expected) {
            // the documented refusal
        }
    }
}
