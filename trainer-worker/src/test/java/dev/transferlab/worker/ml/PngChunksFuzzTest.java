package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes walk as a PNG or are refused with {@link InvalidImageException}; nothing else escapes, nothing loops. The
 * signature is prepended so that the fuzzer spends its time on the chunks rather than on finding it.
 */
class PngChunksFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyBytesWalkOrAreRefusedAsDamaged(byte[] data) {
        byte[] png = PngChunks.isPng(data) ? data : withSignature(data);
        try {
            PngChunks chunks = PngChunks.walk(png);
            // What the decoder gets is itself a well-formed PNG with the same header.
            assertThat(PngChunks.walk(chunks.critical()).header()).isEqualTo(chunks.header());
            assertThat(chunks.critical().length).isLessThanOrEqualTo(png.length + 12);
            chunks.exif(png).ifPresent(tiff -> ExifOrientation.of(java.util.Optional.of(tiff)));
        } catch (InvalidImageException expected) {
            // the documented refusal
        }
    }

    private static byte[] withSignature(byte[] data) {
        byte[] png = new byte[PngChunks.SIGNATURE.length + data.length];
        System.arraycopy(PngChunks.SIGNATURE, 0, png, 0, PngChunks.SIGNATURE.length);
        System.arraycopy(data, 0, png, PngChunks.SIGNATURE.length, data.length);
        return png;
    }
}
