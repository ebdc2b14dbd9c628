package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Archives whose declared offsets, counts and sizes do not match their bytes. */
class StoredZipTest {

    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int DIRECTORY_ENTRY = 0x02014b50;

    @Test
    void entriesReadBackAsWritten() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1, 2, 3}, "a/data/0", new byte[0]);

        StoredZip zip = StoredZip.of(archive);

        assertThat(zip.names()).containsExactly("a/data.pkl", "a/data/0");
        assertThat(zip.read("a/data.pkl").orElseThrow()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(zip.read("absent")).isEmpty();
    }

    @Test
    void aCentralDirectoryCountThatExceedsTheFileIsRefused() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1});
        ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).putShort(find(archive, END_OF_DIRECTORY) + 10,
                (short) 60_000);

        assertThatThrownBy(() -> StoredZip.of(archive)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("central directory of 60000 entries");
    }

    @Test
    void aDirectoryOffsetPastTheEndIsRefused() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1});
        ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).putInt(find(archive, END_OF_DIRECTORY) + 16,
                Integer.MAX_VALUE);

        assertThatThrownBy(() -> StoredZip.of(archive)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("does not fit before its end record");
    }

    @Test
    void aNameLongerThanTheDirectoryIsRefused() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1});
        ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).putShort(find(archive, DIRECTORY_ENTRY) + 28,
                (short) 0xfff0);

        assertThatThrownBy(() -> StoredZip.of(archive)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("runs past the directory");
    }

    @Test
    void zip64SizesAreRefusedByName() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1});
        ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).putInt(find(archive, DIRECTORY_ENTRY) + 24, -1);

        assertThatThrownBy(() -> StoredZip.of(archive)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("zip64");
    }

    @Test
    void anEntryThatInflatesFarBeyondTheArchiveIsRefusedBeforeItIsAllocated() {
        // 64 MB of zeros deflate to about 64 KB: a zip bomb, although within deflate's 1032-to-1 limit.
        byte[] archive = PickleBytes.zip("a/data/0", new byte[64 << 20]);
        StoredZip zip = StoredZip.of(archive);

        assertThatThrownBy(() -> zip.read("a/data/0")).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("claims 67108864 bytes")
                .hasMessageContaining("more than this archive may inflate to");
    }

    @Test
    void anUnknownCompressionMethodIsNamed() {
        byte[] archive = PickleBytes.zip("a/data.pkl", new byte[] {1});
        ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).putShort(find(archive, DIRECTORY_ENTRY) + 10,
                (short) 12);

        assertThatThrownBy(() -> StoredZip.of(archive).read("a/data.pkl")).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("compression method 12");
    }

    private static int find(byte[] archive, int signature) {
        ByteBuffer data = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = archive.length - 4; at >= 0; at--) {
            if (data.getInt(at) == signature) {
                return at;
            }
        }
        throw new AssertionError("no signature " + Integer.toHexString(signature));
    }
}
