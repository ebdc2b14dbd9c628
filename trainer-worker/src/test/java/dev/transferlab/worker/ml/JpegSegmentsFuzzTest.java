package dev.transferlab.worker.ml;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes walk as a JPEG (frame, EXIF orientation, Adobe's transform, the copy for the decoder) or are refused with
 * {@link InvalidImageException}; nothing else escapes, nothing loops. Each input also goes to the EXIF reader as a
 * TIFF structure of its own, so that the fuzzer reaches IFD parsing without having to build a JPEG around it first.
 */
class JpegSegmentsFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyBytesWalkOrAreRefusedAsDamaged(byte[] data) {
        int orientation = ExifOrientation.of(Optional.of(ByteBuffer.wrap(data)));
        assertThat(orientation).isBetween(1, 8);
        byte[] jpeg = JpegSegments.isJpeg(data) ? data : withSoi(data);
        try {
            JpegSegments segments = JpegSegments.walk(jpeg);
            assertThat(ExifOrientation.of(ExifOrientation.in(segments))).isBetween(1, 8);
            segments.ycck();
            JpegSegments.Frame frame = segments.frame();
            assertThat(frame.width()).isPositive();
            assertThat(frame.height()).isPositive();
            byte[] forDecoder = segments.forDecoder();
            assertThat(forDecoder.length).isLessThanOrEqualTo(jpeg.length);
        } catch (InvalidImageException expected) {
            // the documented refusal
        }
    }

    private static byte[] withSoi(byte[] data) {
        byte[] jpeg = new byte[2 + data.length];
        jpeg[0] = (byte) 0xff;
        jpeg[1] = (byte) 0xd8;
        System.arraycopy(data, 0, jpeg, 2, data.length);
        return jpeg;
    }
}
