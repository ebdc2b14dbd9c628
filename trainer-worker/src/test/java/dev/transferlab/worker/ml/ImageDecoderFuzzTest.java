package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decode entry point that datasets and predictions use: any bytes give an image or an
 * {@link InvalidImageException} (of which {@link ImageTooLargeException} is one), never another exception or a hang.
 * The budget is small (4 MiB per image), the cheap guard that keeps the fuzzer from asking for huge allocations: a
 * header that declares more is refused before the decoder allocates it, which is the behaviour under test.
 */
class ImageDecoderFuzzTest {

    private static final DecodeBudget BUDGET = new DecodeBudget(4L << 20, 16L << 20);

    @FuzzTest(maxDuration = "2m")
    void anyBytesDecodeOrAreRefused(byte[] data) {
        try {
            RgbImage image = ImageDecoder.decode(data, BUDGET);
            assertThat(image.pixels()).hasSize(image.width() * image.height());
        } catch (InvalidImageException expected) {
            // the documented refusal
        }
    }
}
