package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a file of named weights, whichever of the three formats PyTorch users publish: torch's legacy
 * serialisation (torchvision's published {@code .pth} files), the zip format of current {@code torch.save}, or
 * safetensors. The format is recognised by the content, not the file name. Pickles are read by {@link SafeUnpickler},
 * which refuses anything but tensors and containers: loading weights never runs code from the file.
 */
public final class WeightsFile {

    private WeightsFile() {
    }

    /**
     * The file's tensors by state-dict name, in the file's order, as float tensors. Whatever the bytes, they are read
     * within bounds set by their length: every length and offset is checked against what the file holds, and the
     * tensors take at most a fixed multiple of the file's size.
     *
     * @throws WeightsFormatException when the bytes are not a weights file, or a damaged one; the message says what
     *                                is wrong ({@link UnsafePickleException} when a pickle names anything but tensors)
     */
    public static Map<String, Tensor> read(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes));
    }

    /**
     * {@link #read(byte[])} of a file, which is mapped rather than read: its tensors are copied once, from the page
     * cache, where reading it first copies all of it into a buffer and then into the heap.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new WeightsFormatException("the weights file is " + channel.size() + " bytes; at most 2 GB are "
                        + "supported");
            }
            return read(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        }
    }

    private static Map<String, Tensor> read(ByteBuffer bytes) {
        return switch (format(bytes)) {
            case ZIP -> ZipCheckpoint.read(bytes);
            case LEGACY -> LegacyCheckpoint.read(bytes);
            case SAFETENSORS -> SafeTensors.read(array(bytes));
        };
    }

    enum Format { ZIP, LEGACY, SAFETENSORS }

    static Format format(byte[] bytes) {
        return format(ByteBuffer.wrap(bytes));
    }

    private static Format format(ByteBuffer bytes) {
        if (StoredZip.looksLikeZip(bytes)) {
            return Format.ZIP;
        }
        int length = bytes.capacity();
        // Every pickle from protocol 2 on starts with PROTO (0x80) and its version.
        if (length >= 2 && (bytes.get(0) & 0xff) == 0x80 && bytes.get(1) >= 2 && bytes.get(1) <= 5) {
            return Format.LEGACY;
        }
        // safetensors: an 8-byte little-endian header length, then a JSON object.
        if (length >= 9 && bytes.get(8) == '{') {
            return Format.SAFETENSORS;
        }
        throw new WeightsFormatException("not a weights file: neither a torch checkpoint (.pth/.pt, legacy or zip "
                + "format) nor safetensors (" + length + " bytes)");
    }

    private static byte[] array(ByteBuffer bytes) {
        if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.array().length == bytes.capacity()) {
            return bytes.array();
        }
        byte[] copy = new byte[bytes.capacity()];
        bytes.get(0, copy);
        return copy;
    }
}
