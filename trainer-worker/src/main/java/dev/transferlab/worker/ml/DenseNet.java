package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.transferlab.common.messages.BackboneSpec;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torchvision's DenseNet feature extractor rebuilt from DJL blocks, so published torchvision weights load by name
 * into it. Ends in ReLU and global average pooling, as torchvision's forward does before its classifier, so its
 * output is the feature vector the head is trained on.
 */
public final class DenseNet {

    // torchvision's BatchNorm2d default; DJL's default happens to agree, but the weights depend on it.
    private static final float BATCH_NORM_EPSILON = 1e-5f;

    private final BackboneSpec spec;
    private final ReleasingSequence block = new ReleasingSequence();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();

    public DenseNet(BackboneSpec spec) {
        this(spec, StopCheck.NEVER);
    }

    /** Builds the blocks (not yet their parameters), asking {@code stop} before each layer. */
    public DenseNet(BackboneSpec spec, StopCheck stop) {
        this.spec = validated(spec);
        int channels = spec.numInitFeatures();
        block.add(conv("features.conv0", 3, channels, 7, 2, 3));
        block.add(batchNorm("features.norm0", channels));
        block.add(new Relu());
        block.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int blocks = spec.blockConfig().size();
        for (int i = 1; i <= blocks; i++) {
            for (int j = 1; j <= spec.blockConfig().get(i - 1); j++) {
                stop.throwIfStopped();
                block.add(denseLayer("features.denseblock" + i + ".denselayer" + j, channels));
                channels += spec.growthRate();
            }
            if (i < blocks) {
                String prefix = "features.transition" + i;
                block.add(batchNorm(prefix + ".norm", channels));
                block.add(new Relu());
                block.add(conv(prefix + ".conv", channels, channels / 2, 1, 1, 0));
                block.add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
                channels /= 2;
            }
        }
        block.add(batchNorm("features.norm5", channels));
        block.add(new Relu());
        block.add(Pool.globalAvgPool2dBlock());
    }

    /**
     * Makes each parameter an array over its values, then initialises the blocks, frozen, on the manager's device.
     * DJL then allocates no parameter (it skips those already set): on DenseNet121 zero-filling all 727 of them
     * first took most of the load. On the CPU the arrays use the buffers as their memory, without a copy.
     *
     * @param values each torchvision parameter's float32 elements in native byte order, in a direct buffer
     */
    public void initialize(NDManager manager, StopCheck stop, Map<String, ByteBuffer> values) {
        block.freezeParameters(true);
        parameters.forEach((name, parameter) -> parameter.setArray(
                manager.create(values.get(name), shapes.get(name), DataType.FLOAT32)));
        int side = minimumInputSide();
        block.initialize(manager, DataType.FLOAT32, stop, new Shape(1, 3, side, side));
    }

    /** The network: [N, 3, H, W] images in, [N, featureSize] features out. */
    public Block block() {
        return block;
    }

    public BackboneSpec spec() {
        return spec;
    }

    public int featureSize() {
        return spec.featureSize();
    }

    /** DJL parameters keyed by torchvision state_dict name, in state_dict order (without num_batches_tracked). */
    public Map<String, Parameter> torchvisionParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The shape each torchvision parameter must have; known before the block is initialised. */
    public Map<String, Shape> torchvisionShapes() {
        return Collections.unmodifiableMap(shapes);
    }

    /** Smallest square input side that survives every stride-2 stage; used to initialise parameter shapes cheaply. */
    private int minimumInputSide() {
        return 4 << spec.blockConfig().size();
    }

    private Block denseLayer(String prefix, int inChannels) {
        int bottleneck = spec.bnSize() * spec.growthRate();
        SequentialBlock branch = new SequentialBlock()
                .add(batchNorm(prefix + ".norm1", inChannels))
                .add(new Relu())
                .add(conv(prefix + ".conv1", inChannels, bottleneck, 1, 1, 0))
                .add(batchNorm(prefix + ".norm2", bottleneck))
                .add(new Relu())
                .add(conv(prefix + ".conv2", bottleneck, spec.growthRate(), 3, 1, 1));
        return new ConcatWithInput(branch);
    }

    private Block conv(String name, int in, int out, int kernel, int stride, int padding) {
        Conv2d conv = Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .setFilters(out)
                .optBias(false)
                .build();
        register(name + ".weight", conv.getParameters().get("weight"), new Shape(out, in, kernel, kernel));
        return conv;
    }

    private Block batchNorm(String name, int channels) {
        BatchNorm norm = BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).build();
        Shape shape = new Shape(channels);
        register(name + ".weight", norm.getParameters().get("gamma"), shape);
        register(name + ".bias", norm.getParameters().get("beta"), shape);
        register(name + ".running_mean", norm.getParameters().get("runningMean"), shape);
        register(name + ".running_var", norm.getParameters().get("runningVar"), shape);
        return norm;
    }

    private void register(String name, Parameter parameter, Shape shape) {
        parameters.put(name, parameter);
        shapes.put(name, shape);
    }

    private static BackboneSpec validated(BackboneSpec spec) {
        if (spec.growthRate() <= 0 || spec.numInitFeatures() <= 0 || spec.bnSize() <= 0
                || spec.blockConfig() == null || spec.blockConfig().isEmpty()
                || spec.blockConfig().stream().anyMatch(layers -> layers == null || layers <= 0)) {
            throw new IllegalArgumentException("not a valid DenseNet configuration: " + spec);
        }
        return spec;
    }
}
