package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The decode entry point on hostile files: each is refused with its reason before the decoder allocates for it. */
class ImageDecoderTest {

    // Not a speed bound: the guard that turns a hang (the bug this reproduces) into a failure instead of a stuck build.
    private static final Duration HANG = Duration.ofSeconds(60);

    private final DecodeBudget budget = TestImages.budget();

    private static RgbImage decode(byte[] encoded, DecodeBudget budget) {
        return ImageDecoder.decode(encoded, budget, image -> image);
    }

    @Test
    void aPngWhoseChunkAfterIdatDeclaresANegativeLengthIsRefusedNotLoopedOver() {
        byte[] png = HostileImages.pngNegativeLengthAfterIdat();
        assertThat(png.length).isLessThan(100);

        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> decode(png, budget))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("above PNG's limit of 2^31-1"));
    }

    @Test
    void aSmallJpegThatDeclaresAHugeCmykImageIsTooLargeBeforeAnythingIsDecoded() {
        byte[] jpeg = HostileImages.withJpegSize(HostileImages.cmykJpeg(16, 8), 13_300, 13_300);
        assertThat(jpeg.length).isLessThan(1000);

        assertThatThrownBy(() -> decode(jpeg, budget))
                .isInstanceOf(ImageTooLargeException.class)
                .hasMessage("image too large to decode: 13300x13300 CMYK JPEG needs 1350 MiB, the limit is 512 MiB;"
                        + " scale it down to at most 67 megapixels");
    }

    @Test
    void aSixteenBitPngCountsTwoBytesPerSample() {
        assertThatThrownBy(() -> decode(HostileImages.pngDeclaring(12_000, 12_000, 16, 2), budget))
                .isInstanceOf(ImageTooLargeException.class)
                .hasMessageStartingWith("image too large to decode: 12000x12000 16-bit RGB PNG needs 1374 MiB");
        // One that fits is decoded: its few bytes of data are then refused as corrupt, not as too large.
        assertThatThrownBy(() -> decode(HostileImages.pngDeclaring(1000, 1000, 16, 2), budget))
                .isInstanceOf(InvalidImageException.class)
                .isNotInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("could not be decoded");
    }

    @Test
    void imagesWithinTheLimitDecodeAsBefore() {
        RgbImage cmyk = decode(HostileImages.cmykJpeg(16, 8), budget);
        RgbImage grey16 = decode(HostileImages.pngWithPixels(3, 2, 16, 0), budget);
        RgbImage turned = decode(HostileImages.jpegWithApp1(
                HostileImages.encode(HostileImages.rgb(16, 12), "jpg"), HostileImages.exifOrientation(6)), budget);

        assertThat(cmyk.width()).isEqualTo(16);
        assertThat(grey16.pixels()).containsOnly(0);
        assertThat(turned.width()).isEqualTo(12);
        assertThat(turned.height()).isEqualTo(16);
    }

    @Test
    void damagedExifIsIgnoredAsPilIgnoresIt() {
        byte[] jpeg = HostileImages.jpegWithApp1(HostileImages.encode(HostileImages.rgb(8, 8), "jpg"),
                HostileImages.damagedExif());

        assertThat(decode(jpeg, budget).width()).isEqualTo(8);
    }
}
