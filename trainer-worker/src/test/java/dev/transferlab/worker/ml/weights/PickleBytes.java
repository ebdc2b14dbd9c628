package dev.transferlab.worker.ml.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-assembled pickles and checkpoints: opcodes as chars or ints, arguments as strings or byte arrays. */
final class PickleBytes {

    private PickleBytes() {
    }

    static byte[] of(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes());
            } else if (part instanceof Character c) {
                out.write(c);
            } else if (part instanceof byte[] array) {
                out.writeBytes(array);
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    static byte[] le(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    static byte[] le(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    static byte[] repeat(byte[] part, int times) {
        ByteBuffer out = ByteBuffer.allocate(part.length * times);
        for (int i = 0; i < times; i++) {
            out.put(part);
        }
        return out.array();
    }

    /** A zip as torch.save writes one (entries deflated here, which the reader also accepts). */
    static byte[] zip(Object... namesAndContents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) namesAndContents[i]));
                zip.write((byte[]) namesAndContents[i + 1]);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
