package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A DenseNet layer's wiring: the branch's output is appended to its input along the channel axis. */
final class ConcatWithInput extends AbstractBlock {

    private final Block branch;

    ConcatWithInput(Block branch) {
        this.branch = addChildBlock("branch", branch);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray added = branch.forward(parameterStore, inputs, training, params).singletonOrThrow();
        return new NDList(input.concat(added, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long added = branch.getOutputShapes(inputShapes)[0].get(1);
        return new Shape[] {new Shape(in.get(0), in.get(1) + added, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        branch.initialize(manager, dataType, inputShapes);
    }
}
