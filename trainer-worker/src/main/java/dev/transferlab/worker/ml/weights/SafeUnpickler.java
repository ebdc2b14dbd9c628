package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the part of Python's pickle format that {@code torch.save} writes (protocols 2 to 5, binary opcodes), and
 * builds only plain data: None, booleans, integers, floats, strings, bytes, tuples and lists (as {@link List}),
 * dicts (as {@link LinkedHashMap}), and tensors through {@link TorchGlobals}. Opcodes that create arbitrary objects
 * (INST, OBJ, NEWOBJ, extension codes) and every global outside the whitelist are refused when they are read, so a
 * hostile file fails before any of it is acted on.
 */
final class SafeUnpickler {

    // The reference unpickler refuses nothing; these bounds keep a corrupt file from exhausting memory or time. Each
    // opcode builds at most one value, so a budget of work (an opcode, or an item a function call reads) bounds the
    // heap a pickle can take (to about 100 MB) and its time, even when it calls a function on one memoized list again
    // and again; torch's pickle of a state dict takes some 20 units per tensor, so 10,000 tensors stay far below it.
    private static final int MAX_LONG_BYTES = 1024;
    private static final long MAX_WORK = 2_000_000;
    private static final int MAX_MEMO = 1_000_000;

    private final ByteBuffer in;
    private final Function<List<Object>, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();
    private long work;

    private SafeUnpickler(ByteBuffer in, Function<List<Object>, Object> persistentLoad) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.persistentLoad = persistentLoad;
    }

    /**
     * Reads one pickle from the buffer's position up to and including its STOP opcode.
     *
     * @param persistentLoad resolves BINPERSID ids (torch's storages); null refuses persistent ids
     * @throws WeightsFormatException when the bytes are not such a pickle (an {@link UnsafePickleException} when it
     *                                names anything but tensors and containers)
     */
    static Object load(ByteBuffer in, Function<List<Object>, Object> persistentLoad) {
        try {
            return new SafeUnpickler(in, persistentLoad).run();
        } catch (BufferUnderflowException e) {
            // Every read of an opcode's argument is bounded by the buffer; running past its end is truncation.
            throw new WeightsFormatException("the pickle is truncated at byte " + in.position());
        }
    }

    private Object run() {
        while (true) {
            int position = in.position();
            int opcode = in.get() & 0xff;
            spend(1, position);
            switch (opcode) {
                case 0x80 -> protocol();
                case 0x95 -> frame();
                case '.' -> {
                    return stopValue();
                }
                case '(' -> marks.add(stack.size());
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(longValue(in.get() & 0xff));
                case 0x8b -> push(longValue(in.getInt()));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                case 'X' -> push(text(in.getInt(), StandardCharsets.UTF_8));
                case 0x8c -> push(text(in.get() & 0xff, StandardCharsets.UTF_8));
                case 0x8d -> push(text(in.getLong(), StandardCharsets.UTF_8));
                // Python 2's str: bytes, which Python 3 reads as text (pickle's encoding='latin1' convention).
                case 'T' -> push(text(in.getInt(), StandardCharsets.ISO_8859_1));
                case 'U' -> push(text(in.get() & 0xff, StandardCharsets.ISO_8859_1));
                case 'B' -> push(bytes(in.getInt()));
                case 'C' -> push(bytes(in.get() & 0xff));
                case 0x8e -> push(bytes(in.getLong()));
                case ')' -> push(tuple(List.of()));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, popMark());
                    push(map);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    PickledValues.put(dict(peek()), key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    putPairs(dict(peek()), items);
                }
                case 'c' -> push(TorchGlobals.resolve(line(), line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String moduleName) || !(name instanceof String globalName)) {
                        throw new WeightsFormatException("STACK_GLOBAL at byte " + position + " needs a module and a"
                                + " name as strings, got " + typeName(module) + " and " + typeName(name));
                    }
                    push(TorchGlobals.resolve(moduleName, globalName));
                }
                case 'R' -> reduce();
                case 'b' -> build();
                case 'Q' -> persistent();
                case 'q' -> memoize(in.get() & 0xff);
                case 'r' -> memoize(in.getInt());
                case 0x94 -> memoize(memo.size());
                case 'h' -> push(recall(in.get() & 0xff));
                case 'j' -> push(recall(in.getInt()));
                case 'i', 'o', 0x81, 0x92 -> throw new UnsafePickleException("refusing pickle opcode "
                        + describe(opcode) + " at byte " + position + ": it builds arbitrary objects, and a weights"
                        + " file may hold only tensors and containers; nothing in it was run");
                case 0x82, 0x83, 0x84 -> throw new UnsafePickleException("refusing pickle extension code (opcode "
                        + describe(opcode) + ") at byte " + position + ": it names a global indirectly");
                default -> throw new WeightsFormatException("unsupported pickle opcode " + describe(opcode)
                        + " at byte " + position + "; torch.save never writes it");
            }
        }
    }

    private void spend(long units, int position) {
        work += units;
        if (work > MAX_WORK) {
            throw new WeightsFormatException("the pickle takes more than " + MAX_WORK + " steps to read (at byte "
                    + position + "); a weights file's takes a small fraction of that");
        }
    }

    /** A frame only groups opcodes for buffered reading; its length must still fit in what remains. */
    private void frame() {
        long length = in.getLong();
        if (length < 0 || length > in.remaining()) {
            throw new WeightsFormatException("the pickle is truncated: a frame of " + length + " bytes at byte "
                    + (in.position() - 9) + " runs past the end");
        }
    }

    private void protocol() {
        int version = in.get() & 0xff;
        if (version < 2 || version > 5) {
            throw new WeightsFormatException("pickle protocol " + version + " is not supported (2 to 5 are)");
        }
    }

    private Object stopValue() {
        if (stack.size() != 1 || !marks.isEmpty()) {
            throw new WeightsFormatException("the pickle ends with " + stack.size() + " values on its stack");
        }
        return stack.get(0);
    }

    private void reduce() {
        Object args = pop();
        Object callable = pop();
        if (!(callable instanceof TorchGlobals.Callable function)) {
            throw new UnsafePickleException("refusing to call " + typeName(callable)
                    + ": only the whitelisted torch and collections functions may be called");
        }
        if (!(args instanceof List<?> arguments)) {
            throw new WeightsFormatException("REDUCE needs an argument tuple, got " + typeName(args));
        }
        // The whitelisted functions read their arguments' items (OrderedDict's pairs, a tensor's size), no deeper.
        for (Object argument : arguments) {
            spend(argument instanceof List<?> items ? items.size() : 1, in.position() - 1);
        }
        push(function.call(Collections.unmodifiableList(arguments)));
    }

    /** Object state: torch's state dicts carry a {@code _metadata} attribute here, which we do not need. */
    private void build() {
        Object state = pop();
        Object target = peek();
        if (!(target instanceof Map) || !(state == null || state instanceof Map)) {
            throw new UnsafePickleException("refusing to set the state of a " + typeName(target)
                    + ": only dicts may carry state in a weights file");
        }
    }

    private void persistent() {
        Object id = pop();
        if (persistentLoad == null) {
            throw new WeightsFormatException("this pickle refers to external storage, which is not expected here");
        }
        if (!(id instanceof List<?> tuple)) {
            throw new WeightsFormatException("a persistent id must be a tuple, got " + typeName(id));
        }
        push(persistentLoad.apply(Collections.unmodifiableList(tuple)));
    }

    private Object longValue(long length) {
        if (length < 0 || length > MAX_LONG_BYTES) {
            throw new WeightsFormatException("an integer of " + length + " bytes is not plausible");
        }
        byte[] littleEndian = bytes(length);
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        BigInteger value = bigEndian.length == 0 ? BigInteger.ZERO : new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String text(long length, java.nio.charset.Charset charset) {
        return new String(bytes(length), charset);
    }

    private byte[] bytes(long length) {
        if (length < 0 || length > in.remaining()) {
            throw new WeightsFormatException("the pickle is truncated: a string of " + length + " bytes at byte "
                    + in.position() + " runs past the end");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return bytes;
    }

    private String line() {
        StringBuilder text = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) {
            if (text.length() > 256) {
                throw new WeightsFormatException("a global name longer than 256 bytes is not plausible");
            }
            text.append((char) (b & 0xff));
        }
        return text.toString();
    }

    private void memoize(int index) {
        if (index < 0 || memo.size() >= MAX_MEMO) {
            throw new WeightsFormatException("pickle memo index " + index + " is not plausible");
        }
        memo.put(index, peek());
    }

    private Object recall(int index) {
        if (!memo.containsKey(index)) {
            throw new WeightsFormatException("the pickle recalls memo entry " + index + ", which was never stored");
        }
        return memo.get(index);
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new WeightsFormatException("dict items come in pairs, got " + items.size() + " values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            PickledValues.put(map, items.get(i), items.get(i + 1));
        }
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw new WeightsFormatException("cannot append to a " + typeName(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object value) {
        if (value instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new WeightsFormatException("cannot set an item of a " + typeName(value));
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object peek() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw new WeightsFormatException("the pickle reads past its stack or mark");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        peek();
        return stack.remove(stack.size() - 1);
    }

    private List<Object> popN(int count) {
        Object[] items = new Object[count];
        for (int i = count - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return Arrays.asList(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new WeightsFormatException("the pickle closes a mark it never opened");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private static String typeName(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    private static String describe(int opcode) {
        return opcode >= 0x20 && opcode < 0x7f ? "'" + (char) opcode + "'" : String.format("0x%02x", opcode);
    }
}
