package dev.transferlab.worker.ml;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The chunk structure of a PNG file, walked with every declared length checked against what remains, before any
 * decoder sees the bytes: a chunk length the reader trusted once sent the EXIF lookup round in circles forever.
 * The decoder gets {@link #critical()}, a copy holding only the chunks decoding needs, so the ancillary chunks it
 * would otherwise parse (compressed text, ICC profiles that it inflates without a bound) never reach it.
 */
final class PngChunks {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static final int IHDR = type("IHDR");
    private static final int PLTE = type("PLTE");
    private static final int TRNS = type("tRNS");
    private static final int IDAT = type("IDAT");
    private static final int IEND = type("IEND");
    private static final int EXIF = type("eXIf");
    // The chunk's length, type and CRC around its data.
    private static final int FRAME = 12;

    /** What IHDR declares. */
    record Header(int width, int height, int bitDepth, int colourType, boolean interlaced) {

        int channels() {
            return switch (colourType) {
                case 0, 3 -> 1;
                case 2 -> 3;
                case 4 -> 2;
                default -> 4;
            };
        }

        String describe() {
            String kind = switch (colourType) {
                case 0 -> "greyscale";
                case 2 -> "RGB";
                case 3 -> "palette";
                case 4 -> "greyscale+alpha";
                default -> "RGBA";
            };
            return width + "x" + height + " " + bitDepth + "-bit " + kind + " PNG";
        }
    }

    private final Header header;
    private final byte[] critical;
    private final Chunk exif;
    private final boolean transparency;

    private record Chunk(int start, int length) {
    }

    private PngChunks(Header header, byte[] critical, Chunk exif, boolean transparency) {
        this.header = header;
        this.critical = critical;
        this.exif = exif;
        this.transparency = transparency;
    }

    static boolean isPng(byte[] data) {
        return startsWith(data, SIGNATURE);
    }

    Header header() {
        return header;
    }

    /** The file with only IHDR, PLTE, tRNS, the IDAT run and IEND. */
    byte[] critical() {
        return critical;
    }

    /** True when a tRNS chunk turns a grey or RGB image into one with alpha, as Java's decoder then gives. */
    boolean transparency() {
        return transparency;
    }

    /** The eXIf chunk's data (a TIFF structure), if there is one. */
    Optional<java.nio.ByteBuffer> exif(byte[] data) {
        return Optional.ofNullable(exif).map(c -> java.nio.ByteBuffer.wrap(data, c.start(), c.length()).slice());
    }

    /** Walks every chunk up to IEND (or the end of the data); damage is an {@link InvalidImageException}. */
    static PngChunks walk(byte[] data) {
        if (!isPng(data)) {
            throw damaged("it does not start with the PNG signature");
        }
        ByteArrayOutputStream critical = new ByteArrayOutputStream(data.length);
        critical.write(data, 0, SIGNATURE.length);
        Header header = null;
        Chunk exif = null;
        boolean transparency = false;
        boolean palette = false;
        int idatRun = 0; // 0: none yet, 1: inside the run, 2: after it
        int at = SIGNATURE.length;
        int index = 1; // counted as a person would: the first chunk is 1
        while (at < data.length) {
            int remaining = data.length - at;
            if (remaining < FRAME) {
                throw damaged("chunk " + index + " at byte " + at + " needs at least " + FRAME
                        + " bytes, " + remaining + " remain");
            }
            long length = readInt(data, at) & 0xffffffffL;
            int type = readInt(data, at + 4);
            if (!isChunkType(data, at + 4)) {
                throw damaged("chunk " + index + " at byte " + at + " has no valid type (bytes " + hex(type) + ")");
            }
            String name = name(type);
            // PNG lengths are unsigned 31-bit numbers; Java's int would read the larger ones as negative.
            if (length > Integer.MAX_VALUE) {
                throw damaged("chunk " + index + " ('" + name + "') at byte " + at + " declares a length of " + length
                        + " bytes, above PNG's limit of 2^31-1");
            }
            if (length > remaining - FRAME) {
                throw damaged("chunk " + index + " ('" + name + "') at byte " + at + " declares "
                        + length + " bytes of data, " + (remaining - FRAME) + " remain");
            }
            int start = at + 8;
            int size = (int) length;
            if (index == 1 && type != IHDR) {
                throw damaged("its first chunk is '" + name + "', not IHDR");
            }
            if (type == IHDR) {
                if (header != null) {
                    throw damaged("it has a second IHDR chunk at byte " + at);
                }
                header = header(data, start, size);
            } else if (type == IDAT) {
                if (idatRun == 2) {
                    throw damaged("its IDAT chunks are not consecutive (another at byte " + at + ")");
                }
                idatRun = 1;
            } else if (idatRun == 1) {
                idatRun = 2;
            }
            if (type == PLTE) {
                palette = true;
            } else if (type == TRNS) {
                transparency = true;
            } else if (type == EXIF && exif == null) {
                exif = new Chunk(start, size);
            }
            boolean needed = type == IHDR || type == PLTE || type == TRNS || type == IDAT;
            if (needed) {
                critical.write(data, at, FRAME + size);
            }
            at += FRAME + size; // at least 12: every step moves on
            index++;
            if (type == IEND) {
                break;
            }
        }
        if (header == null) {
            throw damaged("it holds no chunks after the signature");
        }
        if (idatRun == 0) {
            throw damaged("it has no image data (no IDAT chunk)");
        }
        if (header.colourType() == 3 && !palette) {
            throw damaged("it is a palette image without a palette (no PLTE chunk)");
        }
        writeIend(critical);
        return new PngChunks(header, critical.toByteArray(), exif, transparency && header.colourType() != 3);
    }

    private static Header header(byte[] data, int start, int size) {
        if (size != 13) {
            throw damaged("its IHDR chunk is " + size + " bytes long, not 13");
        }
        int width = readInt(data, start);
        int height = readInt(data, start + 4);
        int bitDepth = data[start + 8] & 0xff;
        int colourType = data[start + 9] & 0xff;
        if (width <= 0 || height <= 0) {
            throw damaged("IHDR declares " + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height)
                    + " pixels; each side must be between 1 and 2^31-1");
        }
        boolean valid = switch (colourType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
        if (!valid) {
            throw damaged("IHDR declares colour type " + colourType + " with bit depth " + bitDepth
                    + ", which PNG does not define");
        }
        if (data[start + 10] != 0 || data[start + 11] != 0 || (data[start + 12] & 0xff) > 1) {
            throw damaged("IHDR declares an unknown compression, filter or interlace method");
        }
        return new Header(width, height, bitDepth, colourType, data[start + 12] == 1);
    }

    private static void writeIend(ByteArrayOutputStream out) {
        // IEND has no data; its CRC is that of the type alone.
        out.writeBytes(new byte[] {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82});
    }

    private static InvalidImageException damaged(String what) {
        return new InvalidImageException("the PNG file is truncated or corrupt: " + what
                + "; re-save it as a PNG or JPEG");
    }

    private static boolean isChunkType(byte[] data, int at) {
        for (int i = at; i < at + 4; i++) {
            int c = data[i] & 0xff;
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    static int readInt(byte[] data, int at) {
        return (data[at] & 0xff) << 24 | (data[at + 1] & 0xff) << 16 | (data[at + 2] & 0xff) << 8 | data[at + 3] & 0xff;
    }

    private static String name(int type) {
        return new String(new byte[] {(byte) (type >> 24), (byte) (type >> 16), (byte) (type >> 8), (byte) type},
                StandardCharsets.ISO_8859_1);
    }

    private static String hex(int type) {
        return String.format("%08x", type);
    }

    private static int type(String name) {
        return readInt(name.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
