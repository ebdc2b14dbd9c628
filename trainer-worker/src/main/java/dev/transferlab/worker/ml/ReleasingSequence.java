package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A sequential block that frees each child's temporaries and the previous activation as soon as the next child has
 * run. DJL otherwise keeps every intermediate array until the caller's manager closes: for DenseNet121 that is over
 * 100 MB of native memory per 224x224 image (measured: 2 GB resident at batch 8, against 0.45 GB with this block),
 * where PyTorch's reference counting frees them as it goes.
 * Inference only: backpropagation would need the activations this block frees.
 */
final class ReleasingSequence extends SequentialBlock {

    // Only set while initialize(..., stop, ...) runs: DJL's initialize has no parameter to pass it through.
    private StopCheck initializing = StopCheck.NEVER;

    /** Initialises the children one by one, asking {@code stop} before each. */
    void initialize(NDManager manager, DataType dataType, StopCheck stop, Shape... inputShapes) {
        initializing = stop;
        try {
            initialize(manager, dataType, inputShapes);
        } finally {
            initializing = StopCheck.NEVER;
        }
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // SequentialBlock's own loop, with the stop check between children.
        Shape[] shapes = inputShapes;
        DataType[] dataTypes = null;
        for (Block child : getChildren().values()) {
            initializing.throwIfStopped();
            child.initialize(manager, dataType, shapes);
            shapes = child.getOutputShapes(shapes, dataTypes);
            dataTypes = child.getOutputDataTypes();
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("the frozen backbone runs in inference mode only");
        }
        NDList current = inputs;
        for (Block child : getChildren().values()) {
            NDList next;
            try (NDScope scope = new NDScope()) {
                next = child.forward(parameterStore, current, false, params);
                NDScope.unregister(next);
            }
            if (current != inputs) {
                closeUnlessKept(current, next);
            }
            current = next;
        }
        return current;
    }

    private static void closeUnlessKept(NDList done, NDList kept) {
        Set<NDArray> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(kept);
        for (NDArray array : done) {
            if (!keep.contains(array)) {
                array.close();
            }
        }
    }
}
