package dev.transferlab.worker.ml;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The EXIF orientation tag of a JPEG (APP1 segment) or PNG (eXIf chunk): how the camera was held, which viewers apply
 * and PIL's ImageOps.exif_transpose applies. 1 (as stored) when the file has none.
 */
final class ExifOrientation {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ExifOrientation() {
    }

    static int of(byte[] encoded) {
        try {
            if (JpegSegments.isJpeg(encoded)) {
                return JpegSegments.find(encoded, 0xe1, "Exif\0\0")
                        .map(p -> fromTiff(ByteBuffer.wrap(encoded, p.start() + 6, p.length() - 6).slice()))
                        .orElse(1);
            }
            if (isPng(encoded)) {
                return fromPng(ByteBuffer.wrap(encoded).order(ByteOrder.BIG_ENDIAN));
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            // Damaged metadata: show the image as stored, as PIL does when it cannot read the tag.
        }
        return 1;
    }

    private static int fromPng(ByteBuffer png) {
        int at = PNG_SIGNATURE.length;
        while (at + 8 <= png.limit()) {
            int length = png.getInt(at);
            int type = png.getInt(at + 4);
            if (type == 0x65584966) { // "eXIf"
                return fromTiff(png.slice(at + 8, length));
            }
            if (type == 0x49454e44) { // "IEND"
                break;
            }
            at += 12 + length;
        }
        return 1;
    }

    /** Looks the tag up in IFD0 of a TIFF structure ("II" or "MM" byte order). */
    private static int fromTiff(ByteBuffer tiff) {
        tiff.order(tiff.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = tiff.getInt(4);
        int entries = tiff.getShort(ifd) & 0xffff;
        for (int i = 0; i < entries; i++) {
            int entry = ifd + 2 + 12 * i;
            if ((tiff.getShort(entry) & 0xffff) == ORIENTATION_TAG) {
                int value = tiff.getShort(entry + 8) & 0xffff;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static boolean isPng(byte[] data) {
        if (data.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (data[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }
}
