package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
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
     * Initialises the network on the manager's device with a torchvision state dict's values, refusing a missing,
     * mis-shaped or unknown parameter by name. The checkpoint's head (classifier.*) and BatchNorm counters are ignored;
     * old parameter names are accepted. The network's parameters are allocated once, with their values, rather than
     * as zeros to be overwritten. {@code stop} is asked before each parameter and layer.
     *
     * @return the {@link #sha256(DenseNet)} of the loaded weights
     */
    public static String load(DenseNet network, NDManager manager, Map<String, Tensor> checkpoint, StopCheck stop) {
        Map<String, Tensor> stateDict = checked(network, checkpoint);
        return initialize(network, manager, name -> stateDict.get(name).littleEndian(), stop);
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
     * Initialises the network as {@link #load} does with torchvision's initialisation (kaiming-normal convolutions,
     * BatchNorm as identity) from a Java RNG, so the same seed gives the same weights in every process and on every
     * device.
     *
     * @return the {@link #sha256(DenseNet)} of the weights
     */
    public static String randomInit(DenseNet network, NDManager manager, long seed, StopCheck stop) {
        Function<String, float[]> values = randomValues(network, seed);
        return initialize(network, manager, name -> new Tensor(network.torchvisionShapes().get(name).getShape(),
                values.apply(name)).littleEndian(), stop);
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
        Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
        stateDict.forEach((name, tensor) -> buffers.put(name, tensor.littleEndian()));
        return hash(buffers);
    }

    /** The current weights as a torchvision state dict (without num_batches_tracked), copied to the heap. */
    public static Map<String, Tensor> stateDict(DenseNet network) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        network.torchvisionParameters().forEach((name, parameter) -> copy.put(name,
                new Tensor(network.torchvisionShapes().get(name).getShape(), parameter.getArray().toFloatArray())));
        return copy;
    }

    /**
     * Makes each parameter an array over its buffer, in state-dict order, and initialises the network. The buffers are
     * hashed on another thread meanwhile: SHA-256 over DenseNet121's 32 MB takes about as long as DJL's initialisation.
     */
    private static String initialize(DenseNet network, NDManager manager, Function<String, ByteBuffer> values,
            StopCheck stop) {
        Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
        for (String name : network.torchvisionShapes().keySet()) {
            stop.throwIfStopped();
            buffers.put(name, values.apply(name));
        }
        CompletableFuture<String> sha256 = CompletableFuture.supplyAsync(() -> hash(buffers));
        network.initialize(manager, stop, buffers);
        return sha256.join();
    }

    private static String hash(Map<String, ByteBuffer> buffers) {
        MessageDigest digest = Sha256.digest();
        buffers.forEach((name, buffer) -> update(digest, name, buffer));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String name, ByteBuffer values) {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update(values.duplicate());
    }
}
