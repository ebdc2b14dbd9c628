package dev.transferlab.worker.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data. Chosen because it is
 * what PyTorch users publish weights in and it cannot execute code, unlike pickled checkpoints.
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";
    // The reference implementation refuses headers above 100 MB; a larger one is a corrupt length, not a model.
    private static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int MAX_DIMENSIONS = 64;

    private SafeTensors() {
    }

    /**
     * Parses a whole file. Half-precision tensors are widened to float. The result keeps the header's order.
     *
     * @throws WeightsFormatException when the bytes are not safetensors, or are damaged: every tensor's range must lie
     *                                in the data section, without overlapping another's, and match its shape and dtype
     */
    public static Map<String, Tensor> read(byte[] bytes) {
        JsonNode header = header(bytes);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 8 + (int) buffer.getLong(0);
        List<Span> spans = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (!field.getKey().equals(METADATA)) {
                spans.add(span(field.getKey(), field.getValue(), bytes.length - (long) dataStart));
            }
        }
        checkDisjoint(spans);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Span span : spans) {
            tensors.put(span.name(), span.read(buffer, dataStart));
        }
        return tensors;
    }

    /**
     * The file's {@code __metadata__}, the format's free-form string-to-string map; empty when the file has none.
     * Reads only the header.
     *
     * @throws WeightsFormatException when the bytes are not safetensors or the metadata is not a string map
     */
    public static Map<String, String> metadata(byte[] bytes) {
        JsonNode metadata = header(bytes).path(METADATA);
        Map<String, String> values = new LinkedHashMap<>();
        if (metadata.isMissingNode()) {
            return values;
        }
        if (!metadata.isObject()) {
            throw invalid(METADATA + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : metadata.properties()) {
            // The format allows string values only and the reference reader refuses others, so this one does too.
            if (!field.getValue().isTextual()) {
                throw invalid(METADATA + " value '" + field.getKey() + "' is not a string");
            }
            values.put(field.getKey(), field.getValue().textValue());
        }
        return values;
    }

    /** Serialises float tensors as F32, in the map's iteration order, without metadata. */
    public static byte[] write(Map<String, Tensor> tensors) {
        return write(tensors, Map.of());
    }

    /** Serialises float tensors as F32, in the map's iteration order, with the metadata when there is any. */
    public static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode values = header.putObject(METADATA);
            metadata.forEach(values::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA)) {
                throw new WeightsFormatException("tensor name '" + name + "' cannot be written");
            }
            long end = offset + 4L * entry.getValue().data().length;
            ObjectNode info = header.putObject(name);
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            for (long dim : entry.getValue().shape()) {
                shape.add(dim);
            }
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = headerBytes(header);
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException("tensors total " + total + " bytes, too large for one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor tensor : tensors.values()) {
            out.asFloatBuffer().put(tensor.data());
            out.position(out.position() + 4 * tensor.data().length);
        }
        return out.array();
    }

    /** The checked header object; its length is the file's first 8 bytes. */
    private static JsonNode header(byte[] bytes) {
        if (bytes.length < 8) {
            throw invalid("truncated: " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw invalid("header length " + headerLength + " is not plausible; this is not a safetensors file");
        }
        if (headerLength > bytes.length - 8L) {
            throw invalid("truncated: header needs " + headerLength + " bytes but only " + (bytes.length - 8)
                    + " follow");
        }
        return parseHeader(bytes, (int) headerLength);
    }

    private static JsonNode parseHeader(byte[] bytes, int length) {
        JsonNode header;
        try {
            header = JSON.readTree(bytes, 8, length);
        } catch (IOException e) {
            throw invalid("header is not valid JSON: " + (e instanceof JsonProcessingException json
                    ? json.getOriginalMessage() : e.getMessage()));
        }
        if (header == null || !header.isObject()) {
            throw invalid("header is not a JSON object");
        }
        return header;
    }

    /** One tensor's entry in the header, checked against the data section before anything is allocated. */
    private record Span(String name, String dtype, long[] shape, long begin, long end) {

        Tensor read(ByteBuffer buffer, int dataStart) {
            int width = bytesPerElement(name, dtype);
            float[] data = new float[(int) ((end - begin) / width)];
            int position = (int) (dataStart + begin);
            for (int i = 0; i < data.length; i++, position += width) {
                data[i] = switch (dtype) {
                    case "F32" -> buffer.getFloat(position);
                    case "F16" -> HalfFloats.fromHalf(buffer.getShort(position));
                    case "BF16" -> Float.intBitsToFloat((buffer.getShort(position) & 0xffff) << 16);
                    case "F64" -> (float) buffer.getDouble(position);
                    case "I64" -> buffer.getLong(position);
                    case "I32" -> buffer.getInt(position);
                    case "I16" -> buffer.getShort(position);
                    case "I8" -> buffer.get(position);
                    default -> buffer.get(position) & 0xff;
                };
            }
            return new Tensor(shape, data);
        }
    }

    private static Span span(String name, JsonNode info, long available) {
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!info.isObject() || !info.path("dtype").isTextual() || !shapeNode.isArray() || !offsets.isArray()
                || offsets.size() != 2) {
            throw invalid("tensor '" + name + "' lacks dtype, shape or data_offsets");
        }
        String dtype = info.get("dtype").textValue();
        int width = bytesPerElement(name, dtype);
        if (shapeNode.size() > MAX_DIMENSIONS) {
            throw invalid("tensor '" + name + "' has " + shapeNode.size() + " dimensions; at most " + MAX_DIMENSIONS
                    + " are supported");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!isNatural(shapeNode.get(i))) {
                throw invalid("tensor '" + name + "' has an invalid shape " + shown(shapeNode));
            }
            shape[i] = shapeNode.get(i).longValue();
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw invalid("tensor '" + name + "' of shape " + shapeNode + " has more elements than a long counts");
            }
        }
        if (!isNatural(offsets.get(0)) || !isNatural(offsets.get(1))) {
            throw invalid("tensor '" + name + "' has invalid data_offsets " + shown(offsets));
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (end < begin || end > available) {
            throw invalid("truncated or corrupt: tensor '" + name + "' spans bytes [" + begin + ", " + end
                    + ") but the data section holds " + available);
        }
        // The shape's product is bounded by a long only; count * width must not overflow into a match.
        boolean overflows = count > Long.MAX_VALUE / width;
        if (overflows || count * width != end - begin) {
            throw invalid("tensor '" + name + "' of shape " + shapeNode + " and dtype " + dtype + " needs "
                    + (overflows ? "more than " + Long.MAX_VALUE : count * width) + " bytes but its offsets give "
                    + (end - begin));
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw invalid("tensor '" + name + "' has " + count + " elements, more than one Java array holds");
        }
        return new Span(name, dtype, shape, begin, end);
    }

    /** Only integers: Jackson would read 1.5 as 1 and "1" as 1, which the reference reader refuses. */
    private static boolean isNatural(JsonNode number) {
        return number.isIntegralNumber() && number.canConvertToLong() && number.longValue() >= 0;
    }

    /** A header value for a message, cut short: the header is up to 100 MB of text. */
    private static String shown(JsonNode value) {
        String text = value.toString();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** As the reference reader: tensors may not share bytes, so the tensors are no larger than the file. */
    private static void checkDisjoint(List<Span> spans) {
        List<Span> byOffset = new ArrayList<>(spans);
        byOffset.sort(Comparator.comparingLong(Span::begin).thenComparingLong(Span::end));
        for (int i = 1; i < byOffset.size(); i++) {
            if (byOffset.get(i).begin() < byOffset.get(i - 1).end()) {
                throw invalid("tensors '" + byOffset.get(i - 1).name() + "' and '" + byOffset.get(i).name()
                        + "' overlap in the data section");
            }
        }
    }

    private static int bytesPerElement(String name, String dtype) {
        // Integer tensors appear beside the weights (BatchNorm's num_batches_tracked); they are read as floats.
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw invalid("tensor '" + name + "' has dtype " + dtype
                    + "; supported are F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL");
        };
    }

    private static byte[] headerBytes(ObjectNode header) {
        try {
            return JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
    }

    private static WeightsFormatException invalid(String reason) {
        return new WeightsFormatException("invalid safetensors data: " + reason);
    }
}
