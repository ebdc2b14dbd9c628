package dev.transferlab.common.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Messages;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's export for PyTorch: one safetensors file with the backbone under torchvision's {@code state_dict} names,
 * the head as torchvision's {@code classifier} replaced by {@code Sequential(Linear, ReLU, Linear, LogSoftmax(dim=1))}
 * ({@link #HEAD_NAMES}), and the model's manifest as JSON under the metadata key {@value #MANIFEST}.
 * <p>
 * It is put together as it is read, from two stored safetensors files: the backbone's part, written once per backbone
 * (every model on DenseNet121 would otherwise store the same 32 MB, which was most of the time a finished job took to
 * store its model), and the model's own head weights. The backbone's bytes are streamed unchanged; only the header,
 * a few kilobytes, is rewritten, with the head's offsets moved past the backbone's data.
 */
public final class ModelExportFile {
    public static final String MANIFEST = "transferlab.manifest";
    /** The head's parameters (as the worker stores them) by their names in the export. */
    public static final Map<String, String> HEAD_NAMES = Map.of(
            "fc1.weight", "classifier.0.weight", "fc1.bias", "classifier.0.bias",
            "fc2.weight", "classifier.2.weight", "fc2.bias", "classifier.2.bias");

    private static final String METADATA = "__metadata__";
    // DenseNet121's header is about 60 KB; far more than any backbone's, far less than a damaged length could ask.
    private static final long MAX_HEADER_BYTES = 64L << 20;

    private ModelExportFile() {
    }

    /**
     * The export's bytes, the backbone part's read from {@code backbonePart} as they are asked for.
     *
     * @param backbonePart a safetensors file of the backbone's parameters, positioned at its start; closed with the
     *                     returned stream
     * @param headWeights  the model's head weights, a safetensors file with {@link #HEAD_NAMES}' keys
     * @throws IOException when either is not a safetensors file, or the head lacks a parameter
     */
    public static InputStream assemble(InputStream backbonePart, byte[] headWeights, ModelManifest manifest)
            throws IOException {
        ObjectNode backbone = header(backbonePart.readNBytes(8), backbonePart, "backbone part");
        ByteArrayInputStream head = new ByteArrayInputStream(headWeights);
        ObjectNode headHeader = header(head.readNBytes(8), head, "head weights");
        ObjectNode merged = Messages.mapper().createObjectNode();
        ObjectNode metadata = merged.putObject(METADATA);
        metadata.put("format", "pt");
        metadata.put(MANIFEST, Messages.toJson(manifest));
        long backboneBytes = 0;
        for (Map.Entry<String, JsonNode> tensor : backbone.properties()) {
            if (!tensor.getKey().equals(METADATA)) {
                merged.set(tensor.getKey(), tensor.getValue());
                backboneBytes = Math.max(backboneBytes, tensor.getValue().path("data_offsets").path(1).asLong());
            }
        }
        headHeader.remove(METADATA);
        if (!headHeader.properties().stream().map(Map.Entry::getKey).collect(Collectors.toSet())
                .equals(HEAD_NAMES.keySet())) {
            throw new IOException("the head weights hold " + headHeader.properties().stream().map(Map.Entry::getKey)
                    .toList() + ", not the head's " + HEAD_NAMES.keySet());
        }
        // In the head file's order, so that a model's export is the same bytes on every download.
        for (Map.Entry<String, JsonNode> entry : headHeader.properties()) {
            JsonNode tensor = entry.getValue();
            ObjectNode moved = tensor.deepCopy();
            long begin = tensor.path("data_offsets").path(0).asLong();
            long end = tensor.path("data_offsets").path(1).asLong();
            moved.putArray("data_offsets").add(backboneBytes + begin).add(backboneBytes + end);
            merged.set(HEAD_NAMES.get(entry.getKey()), moved);
        }
        return new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(encoded(merged)),
                backbonePart, head)));
    }

    /** The header object after its 8-byte little-endian length, leaving {@code in} at the file's data. */
    private static ObjectNode header(byte[] length, InputStream in, String what) throws IOException {
        if (length.length < 8) {
            throw new IOException("the " + what + " is not a safetensors file: it ends before its header's length");
        }
        long size = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (size <= 0 || size > MAX_HEADER_BYTES) {
            throw new IOException("the " + what + " is not a safetensors file: its header would be " + size
                    + " bytes");
        }
        byte[] json = in.readNBytes((int) size);
        if (json.length < size || !(Messages.mapper().readTree(json) instanceof ObjectNode header)) {
            throw new IOException("the " + what + " is not a safetensors file: its header is cut or not an object");
        }
        return header;
    }

    /** The length and the header, padded with spaces so that the data starts 8-byte aligned, as the format's writer. */
    private static byte[] encoded(ObjectNode header) throws IOException {
        byte[] json = Messages.mapper().writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[8 + padded];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, out, 8, json.length);
        Arrays.fill(out, 8 + json.length, out.length, (byte) ' ');
        return out;
    }
}
