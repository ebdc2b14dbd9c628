package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import dev.transferlab.common.messages.BackboneSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The frozen feature extractor on one device. It never trains: BatchNorm always uses its running statistics, and
 * its weights come only from {@link #loadWeights} or {@link #randomInit}.
 */
public final class Backbone implements AutoCloseable {

    private final DenseNet network;
    private final NDManager manager;
    private volatile boolean weightsSet;

    private Backbone(DenseNet network, NDManager manager) {
        this.network = network;
        this.manager = manager;
    }

    public static Backbone create(BackboneSpec spec, Device device) {
        DenseNet network = new DenseNet(spec);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            // Zeros: the real values are written by loadWeights or randomInit, so DJL's random initialiser would be
            // wasted work.
            network.block().setInitializer(Initializer.ZEROS, parameter -> true);
            network.block().freezeParameters(true);
            int side = network.minimumInputSide();
            network.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, side, side));
            return new Backbone(network, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads a torchvision state_dict. The head of the checkpoint (classifier.*) and BatchNorm counters are ignored. */
    public void loadWeights(Map<String, Tensor> stateDict) {
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
        network.torchvisionParameters().forEach((name, parameter) -> write(parameter, stateDict.get(name).data()));
        weightsSet = true;
    }

    /**
     * torchvision's initialisation (kaiming-normal convolutions, BatchNorm as identity) from a Java RNG, so the same
     * seed gives the same weights in every process and on every device.
     */
    public void randomInit(long seed) {
        Random random = new Random(seed);
        network.torchvisionParameters().forEach((name, parameter) -> {
            Shape shape = network.torchvisionShapes().get(name);
            float[] values = new float[Math.toIntExact(shape.size())];
            if (shape.dimension() == 4) {
                double std = Math.sqrt(2.0 / (shape.get(1) * shape.get(2) * shape.get(3)));
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            } else if (name.endsWith(".weight") || name.endsWith(".running_var")) {
                Arrays.fill(values, 1f);
            }
            write(parameter, values);
        });
        weightsSet = true;
    }

    /** Identifies the weights: SHA-256 over each parameter's name and little-endian float data, in state_dict order. */
    public String sha256() {
        MessageDigest digest = sha256Digest();
        network.torchvisionParameters().forEach((name, parameter) -> {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            float[] values = parameter.getArray().toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(bytes);
        });
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The current weights as a torchvision state_dict (without num_batches_tracked), copied to the heap. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        network.torchvisionParameters().forEach((name, parameter) -> copy.put(name,
                new Tensor(network.torchvisionShapes().get(name).getShape(), parameter.getArray().toFloatArray())));
        return copy;
    }

    public int featureSize() {
        return network.featureSize();
    }

    public BackboneSpec spec() {
        return network.spec();
    }

    /** Runs one batch of preprocessed CHW images (all the same square size) and returns their feature vectors. */
    public float[][] features(List<float[]> images) {
        if (!weightsSet) {
            throw new IllegalStateException("backbone weights are neither loaded nor initialised");
        }
        if (images.isEmpty()) {
            return new float[0][];
        }
        int side = imageSide(images.get(0).length);
        float[] batch = new float[images.size() * images.get(0).length];
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != images.get(0).length) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " values, image 0 has "
                        + images.get(0).length + "; a batch needs one size");
            }
            System.arraycopy(image, 0, batch, i * image.length, image.length);
        }
        // Everything the forward pass allocates is attached to this scope and freed with it.
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(batch, new Shape(images.size(), 3, side, side));
            NDList output = network.block().forward(new ParameterStore(scope, false), new NDList(input), false);
            float[] flat = output.singletonOrThrow().toFloatArray();
            float[][] features = new float[images.size()][];
            for (int i = 0; i < features.length; i++) {
                features[i] = Arrays.copyOfRange(flat, i * featureSize(), (i + 1) * featureSize());
            }
            return features;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    private static int imageSide(int length) {
        int side = (int) Math.round(Math.sqrt(length / 3.0));
        if (length == 0 || 3 * side * side != length) {
            throw new IllegalArgumentException("an image of " + length + " values is not 3 x side x side");
        }
        return side;
    }

    private static void write(Parameter parameter, float[] values) {
        parameter.getArray().set(values);
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
