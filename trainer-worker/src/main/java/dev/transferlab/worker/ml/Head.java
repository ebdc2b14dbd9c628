package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import java.util.Arrays;
import java.util.Map;

/** A trained classifier head on one device, for predictions. */
public final class Head implements AutoCloseable {

    private final HeadNetwork network;
    private final NDManager manager;
    private final int featureSize;
    private final int numClasses;

    private Head(HeadNetwork network, NDManager manager, int featureSize, int numClasses) {
        this.network = network;
        this.manager = manager;
        this.featureSize = featureSize;
        this.numClasses = numClasses;
    }

    /** Builds the head from fc1/fc2 weights as {@link HeadTrainer} produces them; sizes come from their shapes. */
    public static Head load(Map<String, Tensor> weights, Device device) {
        Tensor fc1 = required(weights, HeadNetwork.FC1_WEIGHT);
        Tensor fc2 = required(weights, HeadNetwork.FC2_WEIGHT);
        if (fc1.shape().length != 2 || fc2.shape().length != 2) {
            throw new IllegalArgumentException("head weights fc1.weight and fc2.weight must be matrices, got "
                    + new Shape(fc1.shape()) + " and " + new Shape(fc2.shape()));
        }
        int hidden = Math.toIntExact(fc1.shape()[0]);
        int featureSize = Math.toIntExact(fc1.shape()[1]);
        int numClasses = Math.toIntExact(fc2.shape()[0]);
        HeadNetwork network = new HeadNetwork(featureSize, hidden, numClasses);
        network.shapes().forEach((name, shape) -> {
            Tensor tensor = required(weights, name);
            if (!Arrays.equals(tensor.shape(), shape.getShape())) {
                throw new IllegalArgumentException("head weight " + name + " has shape " + new Shape(tensor.shape())
                        + " but the other weights imply " + shape);
            }
        });
        network.useValues(weights);
        network.block().freezeParameters(true);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            network.initialize(manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new Head(network, manager, featureSize, numClasses);
    }

    public int numClasses() {
        return numClasses;
    }

    public int featureSize() {
        return featureSize;
    }

    /** Class probabilities, one row per feature vector; each row sums to 1. */
    public float[][] probabilities(float[][] features) {
        if (features.length == 0) {
            return new float[0][];
        }
        float[] flat = new float[features.length * featureSize];
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != featureSize) {
                throw new IllegalArgumentException("feature vector " + i + " has " + features[i].length
                        + " values; this head takes " + featureSize);
            }
            System.arraycopy(features[i], 0, flat, i * featureSize, featureSize);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(flat, new Shape(features.length, featureSize));
            NDArray logProbabilities = network.block()
                    .forward(new ParameterStore(scope, false), new NDList(input), false)
                    .singletonOrThrow();
            float[] probabilities = logProbabilities.exp().toFloatArray();
            float[][] rows = new float[features.length][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = Arrays.copyOfRange(probabilities, i * numClasses, (i + 1) * numClasses);
            }
            return rows;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    private static Tensor required(Map<String, Tensor> weights, String name) {
        Tensor tensor = weights.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("head weights lack " + name + "; found " + weights.keySet());
        }
        return tensor;
    }
}
