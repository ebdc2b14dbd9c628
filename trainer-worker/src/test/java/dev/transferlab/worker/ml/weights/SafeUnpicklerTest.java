package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opcodes torch.save's pickles (Python 2's among them) use, hand-assembled. */
class SafeUnpicklerTest {

    @Test
    void plainValuesAndContainersAreBuilt() {
        byte[] pickle = bytes(0x80, 2,
                '}', 'q', 0,                               // a dict, memo 0
                'U', 3, "key",                             // Python 2 str
                '(', 'J', le(-5), 'N', 0x88, 0x89, 'G', be(2.5), 't', // (-5, None, True, False, 2.5)
                's',
                'T', le(4), "list",
                ']', '(', 'M', 0xff, 0xff, 0x8a, 9, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}, 'e', // [65535, 2^64]
                's',
                'X', le(3), "mem",
                'h', 0,                                    // the dict itself, from the memo... as a value
                '0',                                       // ...then popped again
                'K', 7, '2', 0x86,                         // (7, 7) by DUP and TUPLE2
                's',
                '.');

        Object value = SafeUnpickler.load(ByteBuffer.wrap(pickle), null);

        assertThat(value).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) value;
        assertThat(map.get("key")).isEqualTo(Arrays.asList(-5L, null, true, false, 2.5));
        assertThat(map.get("list")).isEqualTo(List.of(65535L, BigInteger.ONE.shiftLeft(64)));
        assertThat(map.get("mem")).isEqualTo(List.of(7L, 7L));
    }

    @Test
    void brokenStructureIsRefusedNotGuessed() {
        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(bytes(0x80, 2, 'h', 3, '.')), null))
                .hasMessageContaining("memo entry 3");
        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(bytes(0x80, 2, 'K', 1, 'K', 2, '.')), null))
                .hasMessageContaining("2 values");
        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(bytes(0x80, 2, 'X', le(99), "ab")), null))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(bytes(0x80, 2, 'K', 1, ')', 'R', '.')), null))
                .isInstanceOf(UnsafePickleException.class).hasMessageContaining("refusing to call Long");
        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(bytes(0x80, 2, 'I', "1\n", '.')), null))
                .hasMessageContaining("unsupported pickle opcode 'I'");
    }

    @Test
    void aMillionNestedListsAreRefusedWithoutExhaustingTheStack() {
        // Python would refuse the list as a dict key (unhashable); hashing it in Java recursed a million deep.
        int depth = 1_000_000;
        byte[] nestedKey = bytes(0x80, 2, '}', repeat(bytes(']'), depth), repeat(bytes('a'), depth - 1), 'N', 's',
                '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(nestedKey), null))
                .isInstanceOf(WeightsFormatException.class);
    }

    @Test
    void aDictKeyThatIsNotAScalarIsRefused() {
        byte[] listKey = bytes(0x80, 2, '}', ']', ']', 'a', 'N', 's', '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(listKey), null))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("dict key");
    }

    @Test
    void nestingInsideAStorageIdIsNamedWithoutPrintingItWhole() {
        int depth = 100_000;
        byte[] nestedId = bytes(0x80, 2, repeat(bytes(']'), depth), repeat(bytes('a'), depth - 1), 0x85, 'Q', '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(nestedId), id -> StateDicts.storage(id, 5)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("unexpected storage id ((a sequence")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    void aPickleOfMillionsOfOpcodesIsRefusedBeforeItFillsTheHeap() {
        byte[] lists = bytes(0x80, 2, repeat(bytes(']'), 3_000_000), '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(lists), null))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("more than 2000000 steps");
    }

    @Test
    void callingAFunctionAgainAndAgainOnOneLargeListIsBoundedToo() {
        // Few opcodes, but each OrderedDict(pairs) reads 100,000 pairs: 20,000 calls took billions of steps.
        byte[] calls = bytes(0x80, 2, 'c', "collections\nOrderedDict\n", 'q', 0, '0', ']', 'q', 1,
                repeat(bytes('N', 'N', 0x86, 'a'), 100_000), repeat(bytes('h', 0, 'h', 1, 0x85, 'R', '0'), 20_000),
                '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(calls), null))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("more than 2000000 steps");
    }

    @Test
    void aFrameLongerThanWhatRemainsIsTruncation() {
        byte[] frame = bytes(0x80, 4, 0x95, PickleBytes.le(1L << 40), 'N', '.');

        assertThatThrownBy(() -> SafeUnpickler.load(ByteBuffer.wrap(frame), null))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("frame of 1099511627776 bytes");
    }

    private static byte[] le(int value) {
        return PickleBytes.le(value);
    }

    private static byte[] be(double value) {
        return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(value).array();
    }

    private static byte[] bytes(Object... parts) {
        return PickleBytes.of(parts);
    }

    private static byte[] repeat(byte[] part, int times) {
        return PickleBytes.repeat(part, times);
    }
}
