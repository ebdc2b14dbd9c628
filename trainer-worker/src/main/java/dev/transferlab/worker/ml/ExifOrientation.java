package dev.transferlab.worker.ml;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The EXIF orientation tag, from the TIFF structure of a JPEG's APP1 segment or a PNG's eXIf chunk: how the camera
 * was held, which viewers apply and PIL's ImageOps.exif_transpose applies. 1 (as stored) when the file has none.
 */
final class ExifOrientation {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int ENTRY = 12;

    private ExifOrientation() {
    }

    static int of(Optional<ByteBuffer> tiff) {
        try {
            return tiff.map(ExifOrientation::fromTiff).orElse(1);
        } catch (InvalidImageException e) {
            // Damaged metadata: show the image as stored, as PIL does when it cannot read the tag.
            return 1;
        }
    }

    /** The JPEG's EXIF structure: the APP1 segment that starts "Exif\0\0". */
    static Optional<ByteBuffer> in(JpegSegments jpeg) {
        return jpeg.find(0xe1, "Exif\0\0").map(p -> ByteBuffer.wrap(p.data(), p.start() + 6, p.length() - 6).slice());
    }

    /** Looks the tag up in IFD0 of a TIFF structure ("II" or "MM" byte order), every offset checked first. */
    static int fromTiff(ByteBuffer tiff) {
        int size = tiff.limit();
        if (size < 8) {
            throw damaged("its TIFF header is " + size + " bytes, under 8");
        }
        if (tiff.get(0) == 'I' && tiff.get(1) == 'I') {
            tiff.order(ByteOrder.LITTLE_ENDIAN);
        } else if (tiff.get(0) == 'M' && tiff.get(1) == 'M') {
            tiff.order(ByteOrder.BIG_ENDIAN);
        } else {
            throw damaged("its byte order is neither II nor MM");
        }
        long ifd = tiff.getInt(4) & 0xffffffffL;
        if (ifd > size - 2) {
            throw damaged("IFD0 is at " + ifd + ", past its " + size + " bytes");
        }
        int entries = tiff.getShort((int) ifd) & 0xffff;
        // Entries past the end are not read: the loop is bounded by both the count and the bytes there are.
        long last = Math.min(entries, (size - ifd - 2) / ENTRY);
        for (int i = 0; i < last; i++) {
            int entry = (int) ifd + 2 + ENTRY * i;
            if ((tiff.getShort(entry) & 0xffff) == ORIENTATION_TAG) {
                int value = tiff.getShort(entry + 8) & 0xffff;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static InvalidImageException damaged(String what) {
        return new InvalidImageException("the image's EXIF metadata is damaged: " + what);
    }
}
