package dev.transferlab.worker.export;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.model.ModelExportFile;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.weights.WeightsFile;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The backbone's part of the models' exports for PyTorch ({@link ModelExportFile}, which the api-service assembles on
 * download): a DenseNet's parameters under torchvision's {@code densenet121().state_dict()} names, without the
 * BatchNorm counters {@code num_batches_tracked}, which inference does not use. Stored once per set of weights, at
 * {@link StorageLayout#backboneExport}, and built from the heap copies of the weights, without the engine.
 */
public final class BackboneExport {
    private final ObjectStore store;

    public BackboneExport(ObjectStore store) {
        this.store = store;
    }

    /**
     * Stores the part for these weights unless it is there already; nothing for a TorchScript backbone, whose
     * parameters have no torchvision names.
     *
     * @param weights the weights' location as a model manifest names it ({@code backboneWeights})
     * @param sha256  their parameter hash ({@code backboneSha256})
     * @return where the part is, or null for a TorchScript backbone
     * @throws JobFailure when the weights are missing, or are not those of the hash
     */
    public ObjectLocation ensureStored(BackboneSpec spec, String weights, String sha256) {
        if (spec.isTorchScript()) {
            return null;
        }
        ObjectLocation location = store.inDefaultBucket(StorageLayout.backboneExport(sha256));
        if (store.exists(location)) {
            return location;
        }
        Map<String, Tensor> tensors = stateDict(spec, weights);
        String actual = DenseNetWeights.sha256(tensors);
        if (!actual.equals(sha256)) {
            throw new JobFailure("the backbone weights at " + weights + " have SHA-256 " + actual + " but the model "
                    + "was trained on " + sha256);
        }
        // Two workers storing the same part at once write the same bytes: whichever lands last, it is the same file.
        store.put(location, SafeTensors.write(tensors, Map.of("format", "pt")), "application/octet-stream");
        return location;
    }

    /** The backbone's parameters as inference builds them: from the seed, or from the stored weights file. */
    private Map<String, Tensor> stateDict(BackboneSpec spec, String weights) {
        DenseNet network = new DenseNet(spec);
        OptionalLong seed = BackboneProvider.randomSeed(weights);
        if (seed.isPresent()) {
            return DenseNetWeights.randomStateDict(network, seed.getAsLong());
        }
        byte[] file = store.get(store.locate(weights)).orElseThrow(() -> new JobFailure(
                "the backbone weights are missing at " + weights));
        return DenseNetWeights.checked(network, WeightsFile.read(file));
    }
}
