package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {

    @Test
    void roundTripKeepsNamesOrderShapesAndValues() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z.weight", new Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 0, -0f}));
        tensors.put("a.bias", new Tensor(new long[] {3}, new float[] {7, 8, 9}));
        tensors.put("scalar", new Tensor(new long[] {}, new float[] {42}));
        tensors.put("empty", new Tensor(new long[] {0, 4}, new float[0]));

        byte[] bytes = SafeTensors.write(tensors);
        Map<String, Tensor> read = SafeTensors.read(bytes);

        assertThat(read.keySet()).containsExactly("z.weight", "a.bias", "scalar", "empty");
        assertThat(read).isEqualTo(tensors);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat((8 + headerLength) % 8).as("data section is 8-byte aligned").isZero();
        assertThat(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8)).contains("\"F32\"");
    }

    @Test
    void metadataIsWrittenAndReadAsTheFormatsStringMap() {
        Map<String, Tensor> tensors = Map.of("w", new Tensor(new long[] {2}, new float[] {1, 2}));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("json", "{\"a\": [1, 2]}");

        byte[] bytes = SafeTensors.write(tensors, metadata);

        assertThat(SafeTensors.metadata(bytes)).containsExactly(Map.entry("format", "pt"),
                Map.entry("json", "{\"a\": [1, 2]}"));
        assertThat(SafeTensors.read(bytes)).isEqualTo(tensors);
        assertThat(SafeTensors.metadata(SafeTensors.write(tensors))).isEmpty();
        long headerLength = ByteBuffer.wrap(SafeTensors.write(tensors)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(new String(SafeTensors.write(tensors), 8, (int) headerLength, StandardCharsets.UTF_8))
                .as("no metadata written when there is none").doesNotContain("__metadata__");
    }

    @Test
    void metadataThatIsNotAStringMapIsRefused() {
        byte[] numeric = file("{\"__metadata__\":{\"epoch\":3}}", new byte[0]);

        assertThatThrownBy(() -> SafeTensors.metadata(numeric))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("'epoch' is not a string");
    }

    @Test
    void truncatedFileIsRefusedWithAClearMessage() {
        byte[] bytes = SafeTensors.write(Map.of("w", new Tensor(new long[] {4}, new float[] {1, 2, 3, 4})));

        assertThatThrownBy(() -> SafeTensors.read(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("'w'");
        assertThatThrownBy(() -> SafeTensors.read(Arrays.copyOf(bytes, 20)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> SafeTensors.read(new byte[5]))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void garbageAndUnsupportedDtypesAreRefused() {
        assertThatThrownBy(() -> SafeTensors.read("this is not a weights file".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("not a safetensors file");
        byte[] fp8 = file("{\"n\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        assertThatThrownBy(() -> SafeTensors.read(fp8))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("F8_E4M3");
        byte[] wrongSize = file("{\"n\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafeTensors.read(wrongSize))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("needs 12 bytes");
    }

    @Test
    void halfPrecisionWeightsAreWidenedToFloat() {
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        // F16: 1.0, -2.5, 65504 (largest half), 2^-24 (smallest subnormal)
        data.putShort((short) 0x3c00).putShort((short) 0xc100).putShort((short) 0x7bff).putShort((short) 0x0001);
        // BF16: the upper half of float 3.140625 and of -1.0
        data.putShort((short) (Float.floatToIntBits(3.140625f) >>> 16)).putShort((short) 0xbf80);
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";

        Map<String, Tensor> read = SafeTensors.read(file(header, data.array()));

        assertThat(read.keySet()).containsExactly("h", "b");
        assertThat(read.get("h").shape()).containsExactly(2, 2);
        assertThat(read.get("h").data()).containsExactly(1f, -2.5f, 65504f, 0x1p-24f);
        assertThat(read.get("b").data()).containsExactly(3.140625f, -1f);
    }

    @Test
    void tensorChecksItsElementCount() {
        assertThatThrownBy(() -> new Tensor(new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 elements but 3");
    }

    @Test
    void tensorsThatShareBytesAreRefused() {
        // A thousand tensors over the same megabyte would be read as a thousand megabytes.
        String tensor = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        byte[] shared = file("{\"a\":" + tensor + ",\"b\":" + tensor + "}", new byte[8]);

        assertThatThrownBy(() -> SafeTensors.read(shared)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("tensors 'a' and 'b' overlap");
    }

    @Test
    void shapesAndOffsetsMustBeNaturalNumbers() {
        byte[] offsetsAsObject = file("{\"n\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{\"a\":0,\"b\":1}}}",
                new byte[1]);
        byte[] fractionalShape = file("{\"n\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}",
                new byte[1]);
        byte[] quotedShape = file("{\"n\":{\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]}}",
                new byte[1]);
        byte[] overflowingShape = file("{\"n\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,4]}}", new byte[4]);

        assertThatThrownBy(() -> SafeTensors.read(offsetsAsObject)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("lacks dtype, shape or data_offsets");
        assertThatThrownBy(() -> SafeTensors.read(fractionalShape)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("invalid shape [1.5]");
        assertThatThrownBy(() -> SafeTensors.read(quotedShape)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("invalid shape [\"1\"]");
        assertThatThrownBy(() -> SafeTensors.read(overflowingShape)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("more elements than a long counts");
    }

    @Test
    void aTensorDeclaringTwoToTheFortyBytesIsRefusedBeforeAllocation() {
        byte[] huge = file("{\"n\":{\"dtype\":\"F32\",\"shape\":[274877906944],\"data_offsets\":[0,1099511627776]}}",
                new byte[8]);
        byte[] hugeHeader = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40)
                .put("{}      ".getBytes(StandardCharsets.UTF_8)).array();

        assertThatThrownBy(() -> SafeTensors.read(huge)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("spans bytes [0, 1099511627776) but the data section holds 8");
        assertThatThrownBy(() -> SafeTensors.read(hugeHeader)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("header length 1099511627776 is not plausible");
    }

    private static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }
}
