package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PngChunksTest {

    @Test
    void readsTheHeaderAndKeepsOnlyTheChunksDecodingNeeds() {
        byte[] png = HostileImages.withChunkAfterHeader(HostileImages.pngWithPixels(3, 2, 16, 2), "zTXt",
                new byte[40]);

        PngChunks chunks = PngChunks.walk(png);

        assertThat(chunks.header()).isEqualTo(new PngChunks.Header(3, 2, 16, 2, false));
        assertThat(chunks.header().describe()).isEqualTo("3x2 16-bit RGB PNG");
        assertThat(chunks.critical()).hasSize(png.length - 52);
        assertThat(new String(chunks.critical(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("zTXt");
    }

    @Test
    void aChunkLengthAboveTheSpecsLimitIsRefusedNotTrusted() {
        // The chunk after IDAT declares 0xFFFFFFF4: -12 as a Java int, which once sent a reader round in circles.
        assertThatThrownBy(() -> PngChunks.walk(HostileImages.pngNegativeLengthAfterIdat()))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("chunk 3 ('tEXt')")
                .hasMessageContaining("4294967284 bytes, above PNG's limit of 2^31-1");
    }

    @Test
    void aLengthPastTheEndOfTheDataIsTruncation() {
        byte[] png = HostileImages.pngWithPixels(2, 2, 8, 0);
        ByteBuffer.wrap(png).putInt(33, 1000); // the IDAT chunk's length

        assertThatThrownBy(() -> PngChunks.walk(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("truncated or corrupt: chunk 2 ('IDAT') at byte 33 declares 1000 bytes of data");
        assertThatThrownBy(() -> PngChunks.walk(Arrays.copyOf(png, 40)))
                .hasMessageContaining("chunk 2 at byte 33 needs at least 12 bytes, 7 remain");
    }

    @Test
    void aDamagedStructureIsNamed() {
        byte[] png = HostileImages.pngWithPixels(2, 2, 8, 0);
        assertRefused(header(png, 0, 2, 8, 0), "IHDR declares 0x2 pixels");
        assertRefused(header(png, 2, 2, 16, 3), "colour type 3 with bit depth 16");
        assertRefused(header(png, 2, 2, 8, 3), "palette image without a palette");
        assertRefused(Arrays.copyOf(png, 8 + 25), "no image data (no IDAT chunk)");
        byte[] badType = png.clone();
        badType[37] = '1';
        assertRefused(badType, "chunk 2 at byte 33 has no valid type");
        byte[] split = HostileImages.withChunkAfterHeader(png, "IDAT", new byte[0]);
        byte[] textBetween = HostileImages.withChunkAfterHeader(split, "tEXt", new byte[0]);
        assertRefused(swapFirstTwoChunksAfterHeader(textBetween), "IDAT chunks are not consecutive");
    }

    private static void assertRefused(byte[] png, String why) {
        assertThatThrownBy(() -> PngChunks.walk(png)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(why);
    }

    private static byte[] header(byte[] png, int width, int height, int bitDepth, int colourType) {
        byte[] out = png.clone();
        ByteBuffer.wrap(out, 16, 10).putInt(width).putInt(height).put((byte) bitDepth).put((byte) colourType);
        return out;
    }

    /** IHDR, tEXt, IDAT(empty), IDAT... becomes IHDR, IDAT(empty), tEXt, IDAT... */
    private static byte[] swapFirstTwoChunksAfterHeader(byte[] png) {
        byte[] out = png.clone();
        int at = 8 + 25;
        System.arraycopy(png, at + 12, out, at, 12);
        System.arraycopy(png, at, out, at + 12, 12);
        return out;
    }
}
