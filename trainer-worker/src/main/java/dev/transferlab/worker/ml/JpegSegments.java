package dev.transferlab.worker.ml;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads the header segments of a JPEG file (those before the image data), which the decoder does not expose. */
final class JpegSegments {

    private static final int SOS = 0xda;

    private JpegSegments() {
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8;
    }

    /** The payload (after the 2-byte length) of the first segment with this marker whose payload starts with prefix. */
    static Optional<Payload> find(byte[] data, int marker, String prefix) {
        byte[] wanted = prefix.getBytes(StandardCharsets.ISO_8859_1);
        int at = 2;
        while (at + 4 <= data.length && (data[at] & 0xff) == 0xff) {
            int type = data[at + 1] & 0xff;
            if (type == 0xff) {
                at++; // fill byte
                continue;
            }
            if (type == SOS || type == 0xd9) {
                break;
            }
            int length = ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
            int start = at + 4;
            int end = Math.min(at + 2 + length, data.length);
            if (type == marker && end - start >= wanted.length && startsWith(data, start, wanted)) {
                return Optional.of(new Payload(data, start, end));
            }
            at += 2 + length;
        }
        return Optional.empty();
    }

    /** The number of colour components the frame header declares, or 0 if there is none. */
    static int components(byte[] data) {
        for (int sof : new int[] {0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf}) {
            Optional<Payload> frame = find(data, sof, "");
            if (frame.isPresent() && frame.get().length() > 5) {
                return frame.get().get(5);
            }
        }
        return 0;
    }

    record Payload(byte[] data, int start, int end) {

        int length() {
            return end - start;
        }

        int get(int index) {
            return data[start + index] & 0xff;
        }
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
