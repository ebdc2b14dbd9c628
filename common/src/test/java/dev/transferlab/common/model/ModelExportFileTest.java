package dev.transferlab.common.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the export refuses to put together; the file it makes is checked byte by byte by the api-service's
 * ModelExportIT.
 */
class ModelExportFileTest {
    private static final byte[] BACKBONE = file("{\"features.conv0.weight\":{\"dtype\":\"F32\",\"shape\":[1],"
            + "\"data_offsets\":[0,4]}}", 4);
    private static final byte[] HEAD = file("{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"fc1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
            + "\"fc2.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            + "\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16);

    @Test
    void aBackbonePartCutBeforeItsHeaderIsRefused() {
        assertThatThrownBy(() -> ModelExportFile.assemble(new ByteArrayInputStream(new byte[] {16, 0, 0}), HEAD, null))
                .isInstanceOf(IOException.class).hasMessageContaining("backbone part is not a safetensors file")
                .hasMessageContaining("ends before its header's length");
        byte[] cut = Arrays.copyOf(BACKBONE, 20);
        assertThatThrownBy(() -> ModelExportFile.assemble(new ByteArrayInputStream(cut), HEAD, null))
                .isInstanceOf(IOException.class).hasMessageContaining("its header is cut or not an object");
    }

    @Test
    void aHeaderLengthNoFileCouldHoldIsRefusedBeforeAnythingIsRead() {
        byte[] huge = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertThatThrownBy(() -> ModelExportFile.assemble(new ByteArrayInputStream(huge), HEAD, null))
                .isInstanceOf(IOException.class).hasMessageContaining("its header would be 1099511627776 bytes");
    }

    @Test
    void headWeightsThatAreNotTheHeadsFourParametersAreRefused() {
        byte[] partial = file("{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertThatThrownBy(() -> ModelExportFile.assemble(new ByteArrayInputStream(BACKBONE), partial, null))
                .isInstanceOf(IOException.class).hasMessageContaining("the head weights hold [fc1.weight]");
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length)
                .put(json).array();
    }
}
