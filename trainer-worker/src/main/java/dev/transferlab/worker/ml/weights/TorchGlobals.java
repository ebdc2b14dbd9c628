package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The only Python names a weights pickle may mention, each replaced by a Java function that builds plain data. A
 * pickle is a program; refusing every other name is what keeps a weights file from running code.
 */
final class TorchGlobals {

    /** Something a pickle may call with REDUCE. */
    interface Callable {
        Object call(List<Object> args);
    }

    /** A {@code torch.FloatStorage}-like class: only ever a tag inside a storage's persistent id. */
    record StorageType(TorchDType dtype) {
    }

    private static final Map<String, Callable> CALLABLES = Map.of(
            "collections.OrderedDict", TorchGlobals::orderedDict,
            "torch._utils._rebuild_tensor", args -> tensor(args, 4),
            "torch._utils._rebuild_tensor_v2", args -> tensor(args, 6),
            "torch._utils._rebuild_parameter", args -> parameter(args, 3),
            "torch._utils._rebuild_parameter_with_state", args -> parameter(args, 4));

    private TorchGlobals() {
    }

    static Object resolve(String module, String name) {
        String qualified = module + "." + name;
        Callable callable = CALLABLES.get(qualified);
        if (callable != null) {
            return callable;
        }
        Optional<TorchDType> storage = (module.equals("torch") || module.equals("torch.cuda"))
                ? TorchDType.ofStorageName(name) : Optional.empty();
        return storage.map(StorageType::new).orElseThrow(() -> new UnsafePickleException(
                "refusing to load a pickle that names " + PickledValues.describe(qualified) + ": a weights file may "
                        + "hold only tensors and containers (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(CALLABLES.keySet()))
                        + ", torch.*Storage); nothing in it was run"));
    }

    private static Object orderedDict(List<Object> args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (!(pair instanceof List<?> kv) || kv.size() != 2) {
                    throw new WeightsFormatException("OrderedDict needs (key, value) pairs, got "
                            + PickledValues.describe(pair));
                }
                PickledValues.put(map, kv.get(0), kv.get(1));
            }
        } else if (!args.isEmpty()) {
            throw new WeightsFormatException("OrderedDict called with " + args.size() + " arguments");
        }
        return map;
    }

    private static Object tensor(List<Object> args, int minimum) {
        if (args.size() < minimum || !(args.get(0) instanceof StorageRef storage)) {
            throw new WeightsFormatException("a tensor must be rebuilt from (storage, offset, size, stride, ...),"
                    + " got " + args.size() + " arguments");
        }
        return new TensorRef(storage, integer(args.get(1), "storage offset"), integers(args.get(2), "size"),
                integers(args.get(3), "stride"));
    }

    private static Object parameter(List<Object> args, int count) {
        if (args.size() != count || !(args.get(0) instanceof TensorRef)) {
            throw new WeightsFormatException("a parameter must wrap a tensor, got "
                    + PickledValues.describe(args));
        }
        return args.get(0);
    }

    private static long integer(Object value, String what) {
        if (value instanceof Long number) {
            return number;
        }
        throw new WeightsFormatException("tensor " + what + " must be an integer, got "
                + PickledValues.describe(value));
    }

    private static long[] integers(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new WeightsFormatException("tensor " + what + " must be a tuple, got "
                    + PickledValues.describe(value));
        }
        if (list.size() > TensorRef.MAX_DIMENSIONS) {
            throw new WeightsFormatException("a tensor " + what + " of " + list.size() + " dimensions; at most "
                    + TensorRef.MAX_DIMENSIONS + " are supported");
        }
        long[] result = new long[list.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = integer(list.get(i), what);
        }
        return result;
    }
}
