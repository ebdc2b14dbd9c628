package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Moves weights between a torchvision state dict and an initialised {@link DenseNet}. */
public final class DenseNetWeights {

    // torchvision's own fix-up (models/densenet.py, _load_state_dict): its published files name a layer's
    // parameters "norm.1.weight", from before the modules were renamed "norm1".
    private static final Pattern LEGACY_NAME = Pattern.compile(
            "^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");

    private DenseNetWeights() {
    }

    /**
     * Writes a torchvision state dict into an initialised network, refusing a missing, mis-shaped or unknown
     * parameter by name. The checkpoint's head (classifier.*) and BatchNorm counters are ignored; old parameter names
     * are accepted. {@code stop} is asked before each parameter is written.
     *
     * @return the {@link #sha256(DenseNet)} of the loaded weights
     */
    public static String load(DenseNet network, Map<String, Tensor> checkpoint, StopCheck stop) {
        Map<String, Tensor> stateDict = checked(network, checkpoint);
        return write(network, engineValues(network, name -> stateDict.get(name).data(), stop));
    }

    /**
     * Initialises the network on the manager's device with a torchvision state dict's values, checked as
     * {@link #load(DenseNet, Map, StopCheck)} checks them: the network's parameters are allocated once, with their
     * values, rather than as zeros to be overwritten.
     *
     * @return the {@link #sha256(DenseNet)} of the loaded weights
     */
    public static String load(DenseNet network, NDManager manager, Map<String, Tensor> checkpoint, StopCheck stop) {
        Map<String, Tensor> stateDict = checked(network, checkpoint);
        return initialize(network, manager, engineValues(network, name -> stateDict.get(name).data(), stop), stop);
    }

    /**
     * The network's parameters from a torchvision checkpoint, in state-dict order, checked as {@link #load} checks
     * them; needs no engine.
     */
    public static Map<String, Tensor> checked(DenseNet network, Map<String, Tensor> checkpoint) {
        Map<String, Tensor> stateDict = modernNames(checkpoint);
        Map<String, Shape> expected = network.torchvisionShapes();
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            Tensor tensor = stateDict.get(entry.getKey());
            if (tensor == null) {
                throw new IllegalArgumentException("backbone weights lack parameter " + entry.getKey()
                        + " (expected shape " + entry.getValue() + ")");
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue().getShape())) {
                throw new IllegalArgumentException("backbone parameter " + entry.getKey() + " has shape "
                        + new Shape(tensor.shape()) + " but " + network.spec().name() + " needs "
                        + entry.getValue());
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(stateDict.keySet());
        unexpected.removeAll(expected.keySet());
        unexpected.removeIf(name -> name.startsWith("classifier.") || name.endsWith(".num_batches_tracked"));
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("backbone weights have parameters " + network.spec().name()
                    + " does not: " + unexpected);
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(name -> ordered.put(name, stateDict.get(name)));
        return ordered;
    }

    /** The state dict with torchvision's current parameter names, in the checkpoint's order. */
    public static Map<String, Tensor> modernNames(Map<String, Tensor> checkpoint) {
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        checkpoint.forEach((name, tensor) -> {
            Matcher legacy = LEGACY_NAME.matcher(name);
            renamed.put(legacy.matches() ? legacy.group(1) + legacy.group(2) : name, tensor);
        });
        return renamed;
    }

    /**
     * torchvision's initialisation (kaiming-normal convolutions, BatchNorm as identity) from a Java RNG, so the same
     * seed gives the same weights in every process and on every device. {@code stop} is asked before each parameter.
     *
     * @return the {@link #sha256(DenseNet)} of the weights written
     */
    public static String randomInit(DenseNet network, long seed, StopCheck stop) {
        return write(network, engineValues(network, randomValues(network, seed), stop));
    }

    /** {@link #randomInit(DenseNet, long, StopCheck)} as it initialises the network (see {@link #load}). */
    public static String randomInit(DenseNet network, NDManager manager, long seed, StopCheck stop) {
        return initialize(network, manager, engineValues(network, randomValues(network, seed), stop), stop);
    }

    /** The weights {@link #randomInit} writes for this seed, as a state dict on the heap; needs no engine. */
    public static Map<String, Tensor> randomStateDict(DenseNet network, long seed) {
        Function<String, float[]> values = randomValues(network, seed);
        Map<String, Tensor> stateDict = new LinkedHashMap<>();
        network.torchvisionShapes().forEach((name, shape) -> stateDict.put(name, new Tensor(shape.getShape(),
                values.apply(name))));
        return stateDict;
    }

    /** Each parameter's random values in turn, in state-dict order. */
    private static Function<String, float[]> randomValues(DenseNet network, long seed) {
        Random random = new Random(seed);
        return name -> randomValues(name, network.torchvisionShapes().get(name), random);
    }

    private static float[] randomValues(String name, Shape shape, Random random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        if (shape.dimension() == 4) {
            double std = Math.sqrt(2.0 / (shape.get(1) * shape.get(2) * shape.get(3)));
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * std);
            }
        } else if (name.endsWith(".weight") || name.endsWith(".running_var")) {
            Arrays.fill(values, 1f);
        }
        return values;
    }

    /**
     * Identifies the weights whatever file format they came in: SHA-256 over each parameter's name and little-endian
     * float data, in state-dict order.
     */
    public static String sha256(DenseNet network) {
        return sha256(stateDict(network));
    }

    /** {@link #sha256(DenseNet)} of a state dict in torchvision's order, such as {@link #checked} returns. */
    public static String sha256(Map<String, Tensor> stateDict) {
        MessageDigest digest = Sha256.digest();
        stateDict.forEach((name, tensor) -> update(digest, name, littleEndian(tensor.data())));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The current weights as a torchvision state dict (without num_batches_tracked), copied to the heap. */
    public static Map<String, Tensor> stateDict(DenseNet network) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        network.torchvisionParameters().forEach((name, parameter) -> copy.put(name,
                new Tensor(network.torchvisionShapes().get(name).getShape(), parameter.getArray().toFloatArray())));
        return copy;
    }

    /** Parameters' values as the engine takes them, and their {@link #sha256(DenseNet)}. */
    private record EngineValues(Map<String, ByteBuffer> buffers, String sha256) {
    }

    /**
     * Copies each parameter's values, in state-dict order, into the buffer the engine will use as the array's memory
     * (one copy: a heap array would be copied into such a buffer by DJL), hashing them from it on the way.
     */
    private static EngineValues engineValues(DenseNet network, Function<String, float[]> values, StopCheck stop) {
        MessageDigest digest = Sha256.digest();
        Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
        for (String name : network.torchvisionShapes().keySet()) {
            stop.throwIfStopped();
            ByteBuffer buffer = littleEndian(values.apply(name));
            update(digest, name, buffer);
            buffers.put(name, buffer);
        }
        return new EngineValues(buffers, HexFormat.of().formatHex(digest.digest()));
    }

    private static String write(DenseNet network, EngineValues values) {
        values.buffers().forEach((name, buffer) -> network.torchvisionParameters().get(name).getArray().set(buffer));
        return values.sha256();
    }

    private static String initialize(DenseNet network, NDManager manager, EngineValues values, StopCheck stop) {
        network.initialize(manager, stop, values.buffers());
        return values.sha256();
    }

    /**
     * The values as little-endian float32 in a direct buffer, the form the engine reads without copying: libtorch's
     * byte order on every platform it ships for (x86-64, aarch64), and the one the weights are hashed in.
     */
    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes;
    }

    private static void update(MessageDigest digest, String name, ByteBuffer values) {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update(values.duplicate());
    }
}
