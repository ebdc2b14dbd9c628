package dev.transferlab.worker.ml.zoo;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.Sha256;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Bring your own backbone: any TorchScript module that maps images [N, 3, H, W], preprocessed as the job says, to
 * feature vectors [N, D]. D is read from the module by running one image through it.
 */
final class TorchScriptLoader extends LocalBackboneLoader {

    static final String TORCHSCRIPT = "torchscript";

    TorchScriptLoader() {
        super(TORCHSCRIPT);
    }

    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
            throws IOException, ModelNotFoundException, MalformedModelException {
        requireNDLists(criteria);
        Arguments arguments = new Arguments(TORCHSCRIPT, criteria.getArguments());
        Path file = arguments.path(BackboneCriteria.WEIGHTS).orElseThrow(() -> new IllegalArgumentException(
                "a torchscript backbone needs its module file as the '" + BackboneCriteria.WEIGHTS + "' argument"));
        int side = arguments.integer(BackboneCriteria.INPUT_SIZE, 224);
        String sha256 = Sha256.hex(file);
        Model model = Model.newInstance(TORCHSCRIPT, criteria.getDevice(), "PyTorch");
        try {
            // mapLocation: a module saved on a GPU must load where this worker computes.
            model.load(file, null, Map.of("mapLocation", "true"));
            model.setProperty(Backbone.FEATURE_SIZE, Long.toString(featureSize(model, side)));
            model.setProperty(Backbone.SHA256, sha256);
            return noop(model);
        } catch (RuntimeException | IOException | MalformedModelException e) {
            model.close();
            throw e;
        }
    }

    private static long featureSize(Model model, int side) {
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDList output;
            try {
                output = model.getBlock().forward(new ParameterStore(scope, false),
                        new NDList(scope.zeros(new Shape(1, 3, side, side))), false);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the TorchScript module cannot take a [1, 3, " + side + ", " + side
                        + "] image batch: " + e.getMessage(), e);
            }
            Shape shape = output.size() == 1 ? output.get(0).getShape() : null;
            if (shape == null || shape.dimension() != 2 || shape.get(0) != 1 || shape.get(1) < 1) {
                throw new IllegalArgumentException("the TorchScript module maps a [1, 3, " + side + ", " + side
                        + "] image batch to " + (shape == null ? output.size() + " outputs" : "shape " + shape)
                        + "; a backbone must return one [N, D] tensor of feature vectors");
            }
            return shape.get(1);
        }
    }
}
