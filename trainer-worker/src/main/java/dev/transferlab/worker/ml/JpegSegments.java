package dev.transferlab.worker.ml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The marker structure of a JPEG file, walked from SOI to EOI with every segment length checked against what remains,
 * before the decoder sees the bytes: the frame header (size, components, whether progressive) for the memory check,
 * and the header segments (APPn) that the decoder does not expose, for EXIF and Adobe's colour transform.
 */
final class JpegSegments {

    private static final int SOI = 0xd8;
    private static final int EOI = 0xd9;
    private static final int SOS = 0xda;
    private static final int DHT = 0xc4;
    private static final int JPG = 0xc8;
    private static final int DAC = 0xcc;
    private static final int COM = 0xfe;
    // Each scan of a progressive image is a pass over the whole image; libjpeg-turbo's own fuzzers refuse files with
    // more than 500, which no encoder writes (a progressive file has about ten) and which only serve to burn CPU.
    static final int MAX_SCANS = 500;

    /** What the frame header (SOFn) declares. */
    record Frame(int marker, int precision, int height, int width, int components) {

        boolean progressive() {
            return marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce;
        }
    }

    /** A segment's payload: the bytes after its 2-byte length. */
    record Payload(byte[] data, int start, int end) {

        int length() {
            return end - start;
        }

        int get(int index) {
            return data[start + index] & 0xff;
        }
    }

    /** A segment from its marker at {@code at}; its payload runs from start to end. */
    private record Segment(int marker, int at, int start, int end) {
    }

    private final byte[] data;
    private final Frame frame;
    private final List<Segment> headers;
    private final int firstScan;

    private JpegSegments(byte[] data, Frame frame, List<Segment> headers, int firstScan) {
        this.data = data;
        this.frame = frame;
        this.headers = headers;
        this.firstScan = firstScan;
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == SOI;
    }

    Frame frame() {
        return frame;
    }

    /** The payload of the first header segment with this marker whose payload starts with prefix. */
    Optional<Payload> find(int marker, String prefix) {
        byte[] wanted = prefix.getBytes(StandardCharsets.ISO_8859_1);
        for (Segment segment : headers) {
            if (segment.marker() == marker && segment.end() - segment.start() >= wanted.length
                    && startsWith(segment.start(), wanted)) {
                return Optional.of(new Payload(data, segment.start(), segment.end()));
            }
        }
        return Optional.empty();
    }

    /**
     * The file as the decoder gets it: without the APPn segments other than JFIF's APP0 and Adobe's APP14 (which
     * say how the colours are coded) and without comments. EXIF (with its thumbnails) and ICC profiles are metadata
     * the decoder would parse, and an ICC profile would be handed to the colour management's native code, which PIL
     * does not apply either: the samples are read as stored.
     */
    byte[] forDecoder() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
        out.write(data, 0, 2);
        for (Segment segment : headers) {
            boolean metadata = segment.marker() >= 0xe1 && segment.marker() <= 0xed || segment.marker() == 0xef
                    || segment.marker() == COM;
            if (!metadata) {
                out.write(data, segment.at(), segment.end() - segment.at());
            }
        }
        out.write(data, firstScan, data.length - firstScan);
        return out.toByteArray();
    }

    /** True for a four-component (CMYK or YCCK) JPEG. */
    boolean fourComponents() {
        return frame.components() == 4;
    }

    /** Adobe's APP14 segment says whether the samples are YCCK (transform 2) rather than CMYK. */
    boolean ycck() {
        return find(0xee, "Adobe").filter(p -> p.length() >= 12).map(p -> p.get(11) == 2).orElse(false);
    }

    /**
     * Walks every marker from SOI to EOI (or the end of the data): a frame header is required, and damage is an
     * {@link InvalidImageException} naming the marker at fault. Bytes between markers are skipped, as libjpeg does
     * (with a warning) and as real photo collections need.
     */
    static JpegSegments walk(byte[] data) {
        if (!isJpeg(data)) {
            throw damaged("it does not start with a JPEG SOI marker");
        }
        List<Segment> headers = new ArrayList<>();
        Frame frame = null;
        int scans = 0;
        int firstScan = -1;
        int at = 2;
        while (at < data.length) {
            if ((data[at] & 0xff) != 0xff || at + 1 >= data.length) {
                at++; // a stray byte before a marker: every step moves on
                continue;
            }
            int marker = data[at + 1] & 0xff;
            if (marker == 0xff || marker == 0x00) {
                at++; // a fill byte, or a stuffed zero outside any scan
                continue;
            }
            if (marker == EOI) {
                break;
            }
            if (marker == SOI) {
                throw damaged("it has a second SOI marker at byte " + at);
            }
            if (marker >= 0xd0 && marker <= 0xd7 || marker == 0x01) {
                at += 2; // RSTn and TEM carry no length
                continue;
            }
            if (at + 4 > data.length) {
                throw damaged("the segment at byte " + at + " has no length");
            }
            int length = (data[at + 2] & 0xff) << 8 | data[at + 3] & 0xff;
            if (length < 2) {
                throw damaged("the segment " + marker(marker) + " at byte " + at + " declares a length of " + length
                        + ", less than its own 2 bytes");
            }
            int end = at + 2 + length;
            if (end > data.length) {
                throw damaged("the segment " + marker(marker) + " at byte " + at + " declares "
                        + length + " bytes, " + (data.length - at - 2) + " remain");
            }
            if (scans == 0 && marker != SOS) {
                headers.add(new Segment(marker, at, at + 4, end));
            }
            if (isFrame(marker)) {
                if (frame != null) {
                    throw damaged("it has a second frame header (" + marker(marker) + ") at byte " + at);
                }
                frame = frame(data, marker, at + 4, end);
            } else if (marker == SOS) {
                if (frame == null) {
                    throw damaged("its image data (SOS at byte " + at + ") comes before any frame header (SOFn)");
                }
                if (firstScan < 0) {
                    firstScan = at;
                }
                if (++scans > MAX_SCANS) {
                    throw damaged("it has more than " + MAX_SCANS + " scans");
                }
                at = endOfScan(data, end);
                continue;
            }
            at = end;
        }
        if (frame == null) {
            throw damaged("it has no frame header (SOFn)");
        }
        if (scans == 0) {
            throw damaged("it has no image data (no SOS marker)");
        }
        return new JpegSegments(data, frame, List.copyOf(headers), firstScan);
    }

    private static Frame frame(byte[] data, int marker, int start, int end) {
        if (end - start < 6) {
            throw damaged("its frame header " + marker(marker) + " is " + (end - start) + " bytes, under 6");
        }
        int precision = data[start] & 0xff;
        int height = (data[start + 1] & 0xff) << 8 | data[start + 2] & 0xff;
        int width = (data[start + 3] & 0xff) << 8 | data[start + 4] & 0xff;
        int components = data[start + 5] & 0xff;
        if (end - start != 6 + 3 * components) {
            throw damaged("its frame header declares " + components + " components in " + (end - start) + " bytes");
        }
        if (components != 1 && components != 3 && components != 4) {
            throw damaged("its frame declares " + components + " colour components; only 1, 3 and 4 exist in"
                    + " greyscale, colour and CMYK files");
        }
        if (width == 0 || height == 0) {
            // A height of 0 defers it to a DNL marker, which neither libjpeg nor Java's decoder supports.
            throw damaged("its frame declares " + width + "x" + height + " pixels");
        }
        return new Frame(marker, precision, height, width, components);
    }

    /** The position of the first marker after a scan's entropy-coded data (or the end of the data). */
    private static int endOfScan(byte[] data, int from) {
        int at = from;
        while (at + 1 < data.length) {
            if ((data[at] & 0xff) == 0xff) {
                int next = data[at + 1] & 0xff;
                if (next != 0x00 && next != 0xff && !(next >= 0xd0 && next <= 0xd7)) {
                    return at;
                }
            }
            at++;
        }
        return data.length;
    }

    private static boolean isFrame(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != DHT && marker != JPG && marker != DAC;
    }

    private static String marker(int marker) {
        return String.format("0xFF%02X", marker);
    }

    private static InvalidImageException damaged(String what) {
        return new InvalidImageException("the JPEG file is truncated or corrupt: " + what
                + "; re-save it as a JPEG or PNG");
    }

    private boolean startsWith(int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
