package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Tensor;

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

    /** The file's tensors by state-dict name, in the file's order, as float tensors. */
    public static Map<String, Tensor> read(byte[] bytes) {
        Format format = format(bytes);
        try {
            return switch (format) {
                case ZIP -> ZipCheckpoint.read(bytes);
                case LEGACY -> LegacyCheckpoint.read(bytes);
                case SAFETENSORS -> SafeTensors.read(bytes);
            };
        } catch (ArithmeticException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            // The readers check what they can name; a number that overflows where nothing was expected is damage.
            throw new IllegalArgumentException("the weights file (" + format.name().toLowerCase(java.util.Locale.ROOT)
                    + " format) is corrupt: " + e.getMessage(), e);
        }
    }

    enum Format { ZIP, LEGACY, SAFETENSORS }

    static Format format(byte[] bytes) {
        if (StoredZip.looksLikeZip(bytes)) {
            return Format.ZIP;
        }
        // Every pickle from protocol 2 on starts with PROTO (0x80) and its version.
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
            return Format.LEGACY;
        }
        // safetensors: an 8-byte little-endian header length, then a JSON object.
        if (bytes.length >= 9 && bytes[8] == '{') {
            return Format.SAFETENSORS;
        }
        throw new IllegalArgumentException("not a weights file: neither a torch checkpoint (.pth/.pt, legacy or zip "
                + "format) nor safetensors (" + bytes.length + " bytes)");
    }
}
