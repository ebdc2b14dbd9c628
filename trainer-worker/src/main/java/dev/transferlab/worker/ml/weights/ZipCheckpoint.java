package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The format {@code torch.save} writes since torch 1.6: a zip holding {@code <archive>/data.pkl} and each storage's
 * raw bytes as {@code <archive>/data/<key>}.
 */
final class ZipCheckpoint {

    private ZipCheckpoint() {
    }

    static Map<String, Tensor> read(ByteBuffer bytes) {
        StoredZip zip = StoredZip.of(bytes);
        String prefix = null;
        for (String name : zip.names()) {
            if (name.endsWith("/constants.pkl") || name.contains("/code/")) {
                throw new WeightsFormatException("this is a TorchScript module, not a checkpoint of weights; use "
                        + "it as a 'torchscript' backbone");
            }
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                prefix = name.substring(0, name.length() - "data.pkl".length());
            }
        }
        if (prefix == null) {
            throw new WeightsFormatException("the zip archive has no data.pkl, so it is not a torch checkpoint");
        }
        String root = prefix;
        zip.read(root + "byteorder").ifPresent(order -> {
            String value = StandardCharsets.US_ASCII.decode(order).toString().trim();
            if (!value.equals("little")) {
                throw new WeightsFormatException("the checkpoint was written " + PickledValues.describe(value)
                        + "-endian; only little-endian checkpoints are supported");
            }
        });
        Object state = SafeUnpickler.load(zip.read(root + "data.pkl").orElseThrow(),
                id -> StateDicts.storage(id, 5));
        // Views share their storage's entry: read (and, when deflated, inflated) once.
        Map<String, ByteBuffer> storages = new HashMap<>();
        return StateDicts.tensors(state, storage -> storages.computeIfAbsent(storage.key(), key -> zip.read(root
                + "data/" + key).orElseThrow(() -> new WeightsFormatException("the checkpoint lacks the bytes of "
                + "storage " + key))), bytes.capacity());
    }
}
