package dev.transferlab.worker.ml.zoo;

import ai.djl.Model;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.StopCheck;
import dev.transferlab.worker.ml.weights.WeightsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds torchvision's DenseNet from DJL blocks and fills it from a weights file, or from a seed, asking the
 * criteria's {@link BackboneCriteria#STOP_CHECK} between layers and parameters: a large network takes long to build.
 */
final class DenseNetLoader extends LocalBackboneLoader {

    static final String DENSENET121 = "densenet121";
    static final String DENSENET = "densenet";

    DenseNetLoader(String artifactId) {
        super(artifactId);
    }

    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria) throws IOException, ModelNotFoundException {
        requireNDLists(criteria);
        Arguments arguments = new Arguments(artifactId, criteria.getArguments());
        StopCheck stop = arguments.stopCheck(BackboneCriteria.STOP_CHECK);
        DenseNet network = new DenseNet(spec(arguments), stop);
        Optional<Path> weights = arguments.path(BackboneCriteria.WEIGHTS);
        Optional<Long> seed = arguments.number(BackboneCriteria.RANDOM_SEED);
        if (weights.isEmpty() == seed.isEmpty()) {
            throw new IllegalArgumentException("backbone " + artifactId + " needs either a '"
                    + BackboneCriteria.WEIGHTS + "' file or a '" + BackboneCriteria.RANDOM_SEED + "'");
        }
        // Read before allocating native memory: a bad file then costs nothing to refuse.
        var stateDict = weights.isPresent() ? WeightsFile.read(weights.get()) : null;
        Model model = Model.newInstance(artifactId, criteria.getDevice(), "PyTorch");
        try {
            String sha256 = stateDict != null ? DenseNetWeights.load(network, model.getNDManager(), stateDict, stop)
                    : DenseNetWeights.randomInit(network, model.getNDManager(), seed.get(), stop);
            model.setBlock(network.block());
            model.setProperty(Backbone.FEATURE_SIZE, Integer.toString(network.featureSize()));
            model.setProperty(Backbone.SHA256, sha256);
            return noop(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private BackboneSpec spec(Arguments arguments) {
        if (artifactId.equals(DENSENET121)) {
            return BackboneSpec.densenet121();
        }
        BackboneSpec standard = BackboneSpec.densenet121();
        return new BackboneSpec(DENSENET, arguments.integer("growthRate", standard.growthRate()),
                arguments.integers("blockConfig", standard.blockConfig()),
                arguments.integer("numInitFeatures", standard.numInitFeatures()),
                arguments.integer("bnSize", standard.bnSize()));
    }
}
