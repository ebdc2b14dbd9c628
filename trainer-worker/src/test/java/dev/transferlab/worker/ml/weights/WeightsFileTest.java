package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.ParityFixtures;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.WeightsFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Against files torch itself wrote (see src/test/python/parity_fixtures.py). */
class WeightsFileTest {

    @Test
    void theThreeFormatsOfOneStateDictReadTheSame() {
        Map<String, Tensor> zip = WeightsFile.read(ParityFixtures.bytes("tiny-densenet-zip.pt"));
        Map<String, Tensor> safetensors = WeightsFile.read(ParityFixtures.bytes("tiny-densenet.safetensors"));
        Map<String, Tensor> legacy = WeightsFile.read(ParityFixtures.bytes("tiny-densenet-legacy.pth"));

        assertThat(WeightsFile.format(ParityFixtures.bytes("tiny-densenet-legacy.pth")))
                .isEqualTo(WeightsFile.Format.LEGACY);
        assertThat(safetensors).isEqualTo(zip);
        assertThat(zip).containsKeys("features.denseblock1.denselayer1.norm1.weight",
                "features.norm0.num_batches_tracked", "classifier.weight");
        assertThat(zip.get("features.norm0.num_batches_tracked").data()).containsExactly(7f);
        // The published file's layout: old names, and no BatchNorm counters yet.
        assertThat(legacy).containsKey("features.denseblock1.denselayer1.norm.1.weight")
                .doesNotContainKey("features.denseblock1.denselayer1.norm1.weight");
        Map<String, Tensor> withoutCounters = new LinkedHashMap<>(zip);
        withoutCounters.keySet().removeIf(name -> name.endsWith("num_batches_tracked"));
        assertThat(DenseNetWeights.modernNames(legacy)).isEqualTo(withoutCounters);
        assertThat(DenseNetWeights.modernNames(legacy).keySet()).containsExactlyElementsOf(withoutCounters.keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"views-legacy.pth", "views-zip.pt", "views-torch-0.3-style.pth"})
    void sharedStoragesViewsAndStridesAreResolved(String file) {
        Map<String, Tensor> expected = ParityFixtures.tensors("views-expected.safetensors");

        Map<String, Tensor> read = WeightsFile.read(ParityFixtures.bytes(file));

        assertThat(read.keySet()).containsExactly("base", "transposed", "strided", "row", "scalar");
        assertThat(read).isEqualTo(expected);
        assertThat(read.get("scalar").shape()).isEmpty();
    }

    @Test
    void otherDtypesAreWidenedToFloat() {
        Map<String, Tensor> read = WeightsFile.read(ParityFixtures.bytes("dtypes-zip.pt"));

        assertThat(read).isEqualTo(ParityFixtures.tensors("dtypes-expected.safetensors"));
        assertThat(read.get("half").data()).contains(65504f);
    }

    @ParameterizedTest
    @CsvSource({
        "hostile-os-system.pkl, os.system",
        "hostile-legacy.pth, os.system",
        "hostile-zip.pt, os.system",
        "hostile-stack-global.pkl, builtins.exec",
        "hostile-load-from-bytes.pkl, torch.storage._load_from_bytes"})
    void picklesThatNameAnythingButTensorsAreRefusedAndNothingRuns(String file, String global) throws Exception {
        // Each of these runs "touch <marker>" under torch.load; the generator checked that it does.
        Path marker = Path.of("/tmp/transferlab-hostile-pickle-ran");
        Files.deleteIfExists(marker);

        assertThatThrownBy(() -> WeightsFile.read(ParityFixtures.bytes(file)))
                .isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining(global)
                .hasMessageContaining("nothing in it was run");
        assertThat(marker).doesNotExist();
    }

    @Test
    void opcodesThatBuildArbitraryObjectsAreRefused() {
        // NEWOBJ on a whitelisted class still builds an instance by its constructor; INST names a class inline.
        byte[] newObj = bytes(0x80, 2, 'c', "collections\nOrderedDict\n", ')', 0x81, '.');
        byte[] inst = bytes(0x80, 2, '(', 'i', "os\nsystem\n", '.');

        assertThatThrownBy(() -> WeightsFile.read(newObj)).isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("0x81");
        assertThatThrownBy(() -> WeightsFile.read(inst)).isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("'i'");
    }

    @Test
    void damagedFilesAreRefusedWithTheReason() {
        byte[] legacy = ParityFixtures.bytes("tiny-densenet-legacy.pth");
        byte[] zip = ParityFixtures.bytes("tiny-densenet-zip.pt");

        assertThatThrownBy(() -> WeightsFile.read(Arrays.copyOf(legacy, legacy.length - 100)))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> WeightsFile.read(Arrays.copyOf(legacy, 300)))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> WeightsFile.read(Arrays.copyOf(zip, zip.length - 30)))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("zip");
        assertThatThrownBy(() -> WeightsFile.read("definitely not weights".getBytes()))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("not a weights file");
        assertThatThrownBy(() -> WeightsFile.read(ParityFixtures.bytes("torchscript-tiny-densenet.pt")))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("TorchScript");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-densenet-legacy.pth", "tiny-densenet-zip.pt", "tiny-densenet.safetensors"})
    void aMappedFileReadsAsItsBytesDoAndIsRefusedAsThemWhenCut(String file, @TempDir Path directory)
            throws IOException {
        byte[] bytes = ParityFixtures.bytes(file);
        Path cut = Files.write(directory.resolve("cut"), Arrays.copyOf(bytes, bytes.length - 100));

        assertThat(WeightsFile.read(ParityFixtures.path(file))).isEqualTo(WeightsFile.read(bytes))
                .containsKey("features.norm5.running_var");
        assertThatThrownBy(() -> WeightsFile.read(cut)).isInstanceOf(WeightsFormatException.class)
                .hasMessage(catchThrowable(() -> WeightsFile.read(Files.readAllBytes(cut))).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"views-legacy.pth", "views-zip.pt", "views-torch-0.3-style.pth", "dtypes-zip.pt"})
    void everyTruncationAndCorruptionIsAFormatErrorNeverACrash(String file) {
        byte[] whole = ParityFixtures.bytes(file);
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> WeightsFile.read(cut)).as("cut at %d", length)
                    .isInstanceOf(WeightsFormatException.class);
        }
        java.util.Random random = new java.util.Random(1);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] damaged = whole.clone();
            damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            try {
                WeightsFile.read(damaged);
            } catch (WeightsFormatException expected) {
                // refused with a reason: fine; anything else escapes and fails the test
            }
        }
    }

    @Test
    void aViewLargerThanTheFileIsRefusedBeforeItIsAllocated() {
        // One float of storage, viewed with stride 0 as a billion of them: 4 GB from a file of a few hundred bytes.
        byte[] pickle = bytes(0x80, 2, '}', 'X', le(1), "w", 'c', "torch._utils\n_rebuild_tensor_v2\n",
                '(', '(', 'X', le(7), "storage", 'c', "torch\nFloatStorage\n", 'X', le(1), "0", 'X', le(3), "cpu",
                'K', 1, 't', 'Q', 'K', 0, '(', 'J', le(1_000_000_000), 't', '(', 'K', 0, 't', 0x89,
                'c', "collections\nOrderedDict\n", ')', 'R', 't', 'R', 's', '.');
        byte[] checkpoint = PickleBytes.zip("archive/data.pkl", pickle, "archive/data/0", new byte[4]);

        assertThatThrownBy(() -> WeightsFile.read(checkpoint)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("tensor 'w' of shape [1000000000] has 1000000000 elements, more than a file "
                        + "of this size can hold");
    }

    @Test
    void aLegacyStorageOfMoreElementsThanBytesLeftIsRefusedWithoutOverflow() {
        long elements = 1L << 61; // times 4 bytes overflows a long
        byte[] header = bytes(0x80, 2, 0x8a, 10, reversed(LegacyCheckpoint.MAGIC_NUMBER.toByteArray()), '.',
                0x80, 2, 'M', 0xe9, 0x03, '.', 0x80, 2, '}', '.');
        byte[] state = bytes(0x80, 2, '}', 'X', le(1), "w", 'c', "torch._utils\n_rebuild_tensor_v2\n",
                '(', '(', 'X', le(7), "storage", 'c', "torch\nFloatStorage\n", 'X', le(1), "0", 'X', le(3), "cpu",
                0x8a, 8, PickleBytes.le(elements), 'N', 't', 'Q', 'K', 0, '(', 'K', 1, 't', '(', 'K', 1, 't', 0x89,
                'c', "collections\nOrderedDict\n", ')', 'R', 't', 'R', 's', '.');
        byte[] keys = bytes(0x80, 2, ']', 'X', le(1), "0", 'a', '.');
        byte[] legacy = bytes(header, state, keys, PickleBytes.le(elements), new byte[16]);

        assertThat(WeightsFile.format(legacy)).isEqualTo(WeightsFile.Format.LEGACY);
        assertThatThrownBy(() -> WeightsFile.read(legacy)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("truncated inside storage 0: 2305843009213693952 elements of 4 bytes");
    }

    private static byte[] reversed(byte[] bigEndian) {
        byte[] littleEndian = new byte[bigEndian.length];
        for (int i = 0; i < bigEndian.length; i++) {
            littleEndian[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return littleEndian;
    }

    private static byte[] le(int value) {
        return PickleBytes.le(value);
    }

    private static byte[] bytes(Object... parts) {
        return PickleBytes.of(parts);
    }
}
