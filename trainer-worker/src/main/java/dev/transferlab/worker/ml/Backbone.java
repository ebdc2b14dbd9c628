package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SymbolBlock;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.util.Arrays;
import java.util.List;

/**
 * A frozen feature extractor on one device: any model from the backbone zoo (DenseNet with torchvision's weights, or
 * a TorchScript module) that maps a batch of images [N, 3, H, W] to feature vectors [N, D]. Every backbone runs
 * through this one forward path, on CPU and GPU alike, in float32 or in a lower precision its parameters were cast to.
 */
public final class Backbone implements AutoCloseable {

    /** Model property: the width D of the feature vector, read from the module when it was loaded. */
    public static final String FEATURE_SIZE = "featureSize";
    /** Model property: SHA-256 identifying the backbone's weights. */
    public static final String SHA256 = "sha256";

    private final ZooModel<NDList, NDList> model;
    private final int featureSize;
    private final String sha256;
    private final DataType precision;

    public Backbone(ZooModel<NDList, NDList> model) {
        this(model, DataType.FLOAT32);
    }

    /** Casts the model's parameters to {@code precision}; its inputs are cast too, its features come out float32. */
    public Backbone(ZooModel<NDList, NDList> model, DataType precision) {
        this.model = model;
        String size = model.getProperty(FEATURE_SIZE);
        String hash = model.getProperty(SHA256);
        if (size == null || hash == null) {
            model.close();
            throw new IllegalArgumentException("model " + model.getName() + " is not a backbone: it lacks the "
                    + FEATURE_SIZE + " and " + SHA256 + " properties the backbone zoo sets");
        }
        this.featureSize = Integer.parseInt(size);
        this.sha256 = hash;
        this.precision = precision;
        if (precision != DataType.FLOAT32) {
            try {
                cast(precision);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
        NativeHeap.keepFreedMemory();
    }

    public int featureSize() {
        return featureSize;
    }

    public String sha256() {
        return sha256;
    }

    public String name() {
        return model.getName();
    }

    public DataType precision() {
        return precision;
    }

    /** The device the backbone's parameters are on. */
    public Device device() {
        return model.getNDManager().getDevice();
    }

    /** Runs one batch of preprocessed CHW images (all the same square size) and returns their feature vectors. */
    public float[][] features(List<float[]> images) {
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
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray input = scope.create(batch, new Shape(images.size(), 3, side, side)).toType(precision, false);
            NDArray output = model.getBlock().forward(new ParameterStore(scope, false), new NDList(input), false)
                    .singletonOrThrow();
            if (output.getShape().dimension() != 2 || output.getShape().get(1) != featureSize) {
                throw new IllegalStateException("backbone " + name() + " returned shape " + output.getShape()
                        + " where [" + images.size() + ", " + featureSize + "] was expected");
            }
            float[] flat = output.toType(DataType.FLOAT32, false).toFloatArray();
            float[][] features = new float[images.size()][];
            for (int i = 0; i < features.length; i++) {
                features[i] = Arrays.copyOfRange(flat, i * featureSize, (i + 1) * featureSize);
            }
            return features;
        }
    }

    /**
     * DJL's own blocks do not implement {@code Block.cast} (it throws), so each parameter's array takes its cast values
     * in place ({@code NDArray.intern}): the blocks keep their parameter objects, and the float32 copies are freed.
     * The array object may still report the type it had cached; only the forward pass, in native code, reads them.
     */
    private void cast(DataType type) {
        if (model.getBlock() instanceof SymbolBlock) {
            throw new IllegalArgumentException("backbone " + name() + " is a TorchScript module: it runs in the "
                    + "precision it was saved in, and its parameters cannot be cast here; use fp32 for it");
        }
        for (Pair<String, Parameter> parameter : model.getBlock().getParameters()) {
            NDArray values = parameter.getValue().getArray();
            values.intern(values.toType(type, false));
        }
    }

    @Override
    public void close() {
        model.close();
    }

    private static int imageSide(int length) {
        int side = (int) Math.round(Math.sqrt(length / 3.0));
        if (length == 0 || 3 * side * side != length) {
            throw new IllegalArgumentException("an image of " + length + " values is not 3 x side x side");
        }
        return side;
    }
}
