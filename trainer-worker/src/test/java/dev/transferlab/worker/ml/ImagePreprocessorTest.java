package dev.transferlab.worker.ml;

import dev.transferlab.common.model.PreprocessingSpec;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImagePreprocessorTest {

    private static final PreprocessingSpec IMAGENET = PreprocessingSpec.imagenet();
    private static final int PLANE = 224 * 224;

    @Test
    void constantColourBecomesExactlyTheNormalisedConstant() {
        float[] out = preprocessor(IMAGENET).apply(encode(solid(300, 200, BufferedImage.TYPE_INT_RGB,
                0x0a80fa), "png"));

        assertThat(out).hasSize(3 * PLANE);
        assertPlanes(out, IMAGENET, 10, 128, 250);
    }

    @Test
    void withoutNormalisationValuesAreScaledToTheUnitRange() {
        float[] out = preprocessor(PreprocessingSpec.tutorial()).apply(encode(solid(200, 300,
                BufferedImage.TYPE_INT_RGB, 0xff0000), "png"));

        assertThat(Arrays.copyOfRange(out, 0, PLANE)).containsOnly(1f);
        assertThat(Arrays.copyOfRange(out, PLANE, 3 * PLANE)).containsOnly(0f);
    }

    @Test
    void greyscaleIsReplicatedWithoutGammaConversion() {
        BufferedImage grey = new BufferedImage(260, 260, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 260, 260, 0, filled(260 * 260, 100));

        float[] out = preprocessor(IMAGENET).apply(encode(grey, "png"));

        assertPlanes(out, IMAGENET, 100, 100, 100);
    }

    @Test
    void alphaIsDroppedNotComposited() {
        // Fully transparent: compositing on black or white would change the colour, PIL's convert("RGB") does not.
        float[] out = preprocessor(IMAGENET).apply(encode(solid(256, 256, BufferedImage.TYPE_INT_ARGB,
                0x00c83219), "png"));

        assertPlanes(out, IMAGENET, 200, 50, 25);
    }

    @Test
    void sixteenBitGreyKeepsItsHighByte() {
        // A deliberate difference from PIL 9.4, which opens 16-bit grey as mode "I" and clips it to 255 in
        // convert("RGB"), turning most of such an image white. 16-bit RGB it reads by the high byte, as we do.
        BufferedImage grey = new BufferedImage(256, 256, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSamples(0, 0, 256, 256, 0, filled(256 * 256, 0x8000 + 0x7f));

        float[] out = preprocessor(IMAGENET).apply(encode(grey, "png"));

        assertPlanes(out, IMAGENET, 128, 128, 128);
    }

    @Test
    void exifOrientationTurnsTheImageAsViewersShowIt() throws Exception {
        // Stored 300x200 with a white left half; orientation 6 means "turn 90 degrees clockwise to view", after
        // which the white half is on top and the image is 200x300.
        BufferedImage halves = solid(300, 200, BufferedImage.TYPE_INT_RGB, 0);
        for (int x = 0; x < 150; x++) {
            for (int y = 0; y < 200; y++) {
                halves.setRGB(x, y, 0xffffff);
            }
        }
        byte[] png = withExifOrientation(encode(halves, "png"), 6);

        float[] out = preprocessor(PreprocessingSpec.tutorial()).apply(png);

        assertThat(out[10 * 224 + 112]).as("top centre").isEqualTo(1f);
        assertThat(out[200 * 224 + 112]).as("bottom centre").isZero();
        assertThat(out[112 * 224 + 10]).as("left of the middle row").isEqualTo(out[112 * 224 + 200]);
    }

    @Test
    void paletteImagesAreLookedUp() {
        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {0, (byte) 30}, new byte[] {0, (byte) 160},
                new byte[] {0, (byte) 90});
        BufferedImage image = new BufferedImage(300, 256, BufferedImage.TYPE_BYTE_INDEXED, palette);
        image.getRaster().setSamples(0, 0, 300, 256, 0, filled(300 * 256, 1));

        float[] out = preprocessor(IMAGENET).apply(encode(image, "png"));

        assertPlanes(out, IMAGENET, 30, 160, 90);
    }

    @Test
    void imagesSmallerThanTheCropAreUpscaledFirst() {
        float[] out = preprocessor(IMAGENET).apply(encode(solid(100, 80, BufferedImage.TYPE_INT_RGB,
                0x406080), "jpg"));

        assertThat(out).hasSize(3 * PLANE);
        // JPEG shifts colours slightly; what matters is a full-size, uniform result.
        for (int i = 0; i < PLANE; i++) {
            assertThat(out[i]).isCloseTo(out[0], within(0.05f));
        }
    }

    @Test
    void downscalingUsesPilsAntialiasedTriangleFilterAndRoundsTo8Bits() {
        // 8x8 to 4x4: each output averages 4 inputs with weights 1/8, 3/8, 3/8, 1/8, clipped and renormalised at
        // the border, then rounded to 8 bits as PIL stores it. Columns hold 10 * x, so the expected row is computed
        // by hand: 7.14, 25, 45 and 62.86 round to 7, 25, 45 and 63.
        BufferedImage ramp = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                ramp.getRaster().setSample(x, y, 0, 10 * x);
            }
        }
        PreprocessingSpec noCrop = new PreprocessingSpec(4, 4, false, List.of(), List.of());

        float[] out = preprocessor(noCrop).apply(encode(ramp, "png"));

        float[] expectedRow = {7 / 255f, 25 / 255f, 45 / 255f, 63 / 255f};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(out[y * 4 + x]).as("(%d, %d)", x, y).isEqualTo(expectedRow[x]);
            }
        }
    }

    @Test
    void centreCropUsesTorchvisionsRounding() {
        // 300x200 resizes to 382x255; torchvision crops columns from round(158 / 2) = 79 and rows from round(15.5) = 16.
        // Columns 0..149 are black and 150.. white, so the edge falls at resized column 191, crop column 112.
        BufferedImage halves = solid(300, 200, BufferedImage.TYPE_INT_RGB, 0xffffff);
        for (int x = 0; x < 150; x++) {
            for (int y = 0; y < 200; y++) {
                halves.setRGB(x, y, 0);
            }
        }
        float[] out = preprocessor(PreprocessingSpec.tutorial()).apply(encode(halves, "png"));

        // The edge is symmetric around resized x = 191, so crop columns 111 and 112 average to one half.
        float left = out[100 * 224 + 111];
        float right = out[100 * 224 + 112];
        assertThat(left + right).isCloseTo(1f, within(1e-5f));
        assertThat(left).isLessThan(0.5f);
        assertThat(out[100 * 224 + 100]).isZero();
        assertThat(out[100 * 224 + 123]).isEqualTo(1f);
    }

    @Test
    void undecodableInputIsRefusedWithAnActionableMessage() {
        ImagePreprocessor preprocessor = preprocessor(IMAGENET);
        byte[] png = encode(solid(50, 50, BufferedImage.TYPE_INT_RGB, 0x123456), "png");

        assertThatThrownBy(() -> preprocessor.apply("definitely not an image".getBytes()))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("JPEG or PNG");
        assertThatThrownBy(() -> preprocessor.apply(new byte[0]))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> preprocessor.apply(Arrays.copyOf(png, png.length / 2)))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("truncated or corrupt");
        // The JPEG reader would fill the missing part with grey and only warn.
        byte[] jpeg = encode(solid(300, 200, BufferedImage.TYPE_INT_RGB, 0x123456), "jpg");
        assertThatThrownBy(() -> preprocessor.apply(Arrays.copyOf(jpeg, jpeg.length - 20)))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("truncated");
    }

    private static ImagePreprocessor preprocessor(PreprocessingSpec spec) {
        return new ImagePreprocessor(spec, TestImages.budget());
    }

    private static void assertPlanes(float[] out, PreprocessingSpec spec, int r, int g, int b) {
        int[] rgb = {r, g, b};
        for (int c = 0; c < 3; c++) {
            float scaled = rgb[c] / 255f;
            float expected = spec.normalize()
                    ? (scaled - spec.mean().get(c).floatValue()) / spec.std().get(c).floatValue()
                    : scaled;
            assertThat(Arrays.copyOfRange(out, c * PLANE, (c + 1) * PLANE)).as("channel %d", c).containsOnly(expected);
        }
    }

    static BufferedImage solid(int width, int height, int type, int argb) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, argb);
            }
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            assertThat(ImageIO.write(image, format, out)).as("a %s writer exists", format).isTrue();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inserts an eXIf chunk (a little-endian TIFF with one IFD entry, Orientation) after a PNG's IHDR chunk. */
    private static byte[] withExifOrientation(byte[] png, int orientation) {
        java.nio.ByteBuffer tiff = java.nio.ByteBuffer.allocate(26).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation)
                .putShort((short) 0);
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(12 + 26);
        chunk.putInt(26).put("eXIf".getBytes()).put(tiff.array());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(chunk.array(), 4, 4 + 26);
        chunk.putInt((int) crc.getValue());
        int afterHeader = 8 + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        out.write(chunk.array(), 0, chunk.capacity());
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    private static int[] filled(int length, int value) {
        int[] values = new int[length];
        Arrays.fill(values, value);
        return values;
    }
}
