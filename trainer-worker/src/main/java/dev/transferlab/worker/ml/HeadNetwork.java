package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The tutorial's classifier: Linear(features, hidden), ReLU, Linear(hidden, classes), LogSoftmax, optionally with
 * Dropout after the ReLU. Its output is log-probabilities, so the loss is NLL on it.
 */
final class HeadNetwork {

    static final String FC1_WEIGHT = "fc1.weight";
    static final String FC1_BIAS = "fc1.bias";
    static final String FC2_WEIGHT = "fc2.weight";
    static final String FC2_BIAS = "fc2.bias";

    private final int featureSize;
    private final SequentialBlock block = new SequentialBlock();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final SeededDropout dropout;

    HeadNetwork(int featureSize, int hiddenUnits, int numClasses) {
        this(featureSize, hiddenUnits, numClasses, null);
    }

    /** @param dropout after the ReLU, or null for none (a prediction head: dropout is the identity there) */
    HeadNetwork(int featureSize, int hiddenUnits, int numClasses, SeededDropout dropout) {
        this.featureSize = featureSize;
        this.dropout = dropout;
        Linear fc1 = Linear.builder().setUnits(hiddenUnits).build();
        Linear fc2 = Linear.builder().setUnits(numClasses).build();
        block.add(fc1).add(Activation.reluBlock());
        if (dropout != null) {
            block.add(dropout);
        }
        block.add(fc2)
                .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().logSoftmax(1)), "logSoftmax"));
        register(FC1_WEIGHT, fc1.getParameters().get("weight"), new Shape(hiddenUnits, featureSize));
        register(FC1_BIAS, fc1.getParameters().get("bias"), new Shape(hiddenUnits));
        register(FC2_WEIGHT, fc2.getParameters().get("weight"), new Shape(numClasses, hiddenUnits));
        register(FC2_BIAS, fc2.getParameters().get("bias"), new Shape(numClasses));
    }

    SequentialBlock block() {
        return block;
    }

    /** Names the training batch about to run, which fixes its dropout mask. */
    void forBatch(int epoch, int batch) {
        if (dropout != null) {
            dropout.forBatch(epoch, batch);
        }
    }

    Map<String, Shape> shapes() {
        return shapes;
    }

    /** DJL's parameter ids, which differ in every run, to the stable names above. */
    Map<String, String> namesById() {
        Map<String, String> names = new LinkedHashMap<>();
        parameters.forEach((name, parameter) -> names.put(parameter.getId(), name));
        return names;
    }

    /**
     * torch.nn.Linear's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, drawn from a
     * Java RNG so a seed means the same start everywhere. DJL's own Linear initialiser differs from torch's.
     */
    void useTorchInitialisation(Random random) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            long fanIn = name.startsWith("fc1") ? featureSize : shapes.get(FC1_WEIGHT).get(0);
            float bound = (float) (1.0 / Math.sqrt(fanIn));
            float[] data = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < data.length; i++) {
                data[i] = (random.nextFloat() * 2 - 1) * bound;
            }
            values.put(name, new Tensor(shape.getShape(), data));
        });
        useValues(values);
    }

    /** Makes initialisation take these tensors; shapes must already have been checked. */
    void useValues(Map<String, Tensor> values) {
        parameters.forEach((name, parameter) -> parameter.setInitializer(
                (manager, shape, dataType) -> manager.create(values.get(name).data(), shape)));
    }

    void initialize(NDManager manager) {
        block.initialize(manager, DataType.FLOAT32, new Shape(1, featureSize));
    }

    /** A heap copy of the current weights, safe to keep while training goes on. */
    Map<String, Tensor> snapshot() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        parameters.forEach((name, parameter) ->
                copy.put(name, new Tensor(shapes.get(name).getShape(), parameter.getArray().toFloatArray())));
        return copy;
    }

    private void register(String name, Parameter parameter, Shape shape) {
        parameters.put(name, parameter);
        shapes.put(name, shape);
    }
}
