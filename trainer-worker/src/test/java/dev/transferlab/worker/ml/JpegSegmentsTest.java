package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JpegSegmentsTest {

    @Test
    void readsTheFrameAndTheHeaderSegmentsAndHandsTheDecoderNoMetadata() {
        byte[] jpeg = HostileImages.jpegWithApp1(HostileImages.encode(HostileImages.rgb(16, 12), "jpg"),
                HostileImages.exifOrientation(6));

        JpegSegments segments = JpegSegments.walk(jpeg);

        assertThat(segments.frame()).isEqualTo(new JpegSegments.Frame(0xc0, 8, 12, 16, 3));
        assertThat(ExifOrientation.of(ExifOrientation.in(segments))).isEqualTo(6);
        byte[] forDecoder = segments.forDecoder();
        assertThat(forDecoder).hasSize(jpeg.length - 4 - 6 - 26);
        assertThat(JpegSegments.walk(forDecoder).find(0xe1, "Exif\0\0")).isEmpty();
        assertThat(JpegSegments.walk(forDecoder).frame()).isEqualTo(segments.frame());
    }

    @Test
    void fourComponentFramesAndAdobesTransformAreRead() {
        JpegSegments cmyk = JpegSegments.walk(HostileImages.withJpegSize(HostileImages.cmykJpeg(16, 8), 13_300,
                13_300));

        assertThat(cmyk.frame().width()).isEqualTo(13_300);
        assertThat(cmyk.fourComponents()).isTrue();
        assertThat(cmyk.ycck()).isFalse();
    }

    @Test
    void aSegmentLengthIsCheckedAgainstItsOwnSizeAndWhatRemains() {
        assertRefused(HostileImages.jpegSegmentLength(1), "segment 0xFFE5 at byte 2 declares a length of 1");
        assertRefused(HostileImages.jpegSegmentLength(0xfff0), "segment 0xFFE5 at byte 2 declares 65520 bytes");
        assertRefused(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0}, "has no length");
    }

    @Test
    void aDamagedStructureIsNamed() {
        byte[] jpeg = HostileImages.encode(HostileImages.rgb(8, 8), "jpg");
        assertRefused(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9}, "no frame header");
        assertRefused(HostileImages.withJpegSize(jpeg, 0, 8), "its frame declares 0x8 pixels");
        assertRefused(join(jpeg, 0, 2, new byte[] {(byte) 0xff, (byte) 0xd8}, jpeg, 2), "second SOI marker");
        byte[] scan = {(byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0, 63, 0};
        assertRefused(join(jpeg, 0, 2, scan, jpeg, 2), "SOS at byte 2) comes before any frame header");
        ByteArrayOutputStream scans = new ByteArrayOutputStream();
        for (int i = 0; i <= JpegSegments.MAX_SCANS; i++) {
            scans.writeBytes(scan);
        }
        int eoi = jpeg.length - 2;
        assertRefused(join(jpeg, 0, eoi, scans.toByteArray(), jpeg, eoi), "more than 500 scans");
    }

    @Test
    void damagedExifLeavesTheImageAsStored() {
        assertThat(ExifOrientation.of(java.util.Optional.of(ByteBuffer.wrap(HostileImages.damagedExif()))))
                .isEqualTo(1);
        assertThatThrownBy(() -> ExifOrientation.fromTiff(ByteBuffer.wrap(HostileImages.damagedExif())))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("IFD0 is at 2147483632, past its 12 bytes");
        byte[] manyEntries = HostileImages.exifOrientation(6);
        ByteBuffer.wrap(manyEntries).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(8, (short) -1);
        assertThat(ExifOrientation.fromTiff(ByteBuffer.wrap(manyEntries))).isEqualTo(6);
        assertThatThrownBy(() -> ExifOrientation.fromTiff(ByteBuffer.wrap(new byte[] {'X', 'X', 0, 0, 0, 0, 0, 0})))
                .hasMessageContaining("neither II nor MM");
    }

    private static void assertRefused(byte[] jpeg, String why) {
        assertThatThrownBy(() -> JpegSegments.walk(jpeg)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(why);
    }

    private static byte[] join(byte[] head, int from, int to, byte[] middle, byte[] tail, int tailFrom) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(head, from, to - from);
        out.writeBytes(middle);
        out.write(tail, tailFrom, tail.length - tailFrom);
        return out.toByteArray();
    }
}
