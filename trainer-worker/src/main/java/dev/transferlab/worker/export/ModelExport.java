package dev.transferlab.worker.export;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.jobs.JobFailure;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.SafeTensors;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.weights.WeightsFile;

import java.lang.ref.SoftReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A whole model as one safetensors file that PyTorch loads without this platform: the backbone under torchvision's
 * {@code densenet121().state_dict()} names ({@code features.…}, without the BatchNorm counters
 * {@code num_batches_tracked}, which inference does not use), the head as torchvision's {@code classifier} replaced
 * by {@code Sequential(Linear, ReLU, Linear, LogSoftmax(dim=1))} ({@code classifier.0.*}, {@code classifier.2.*}),
 * and the manifest as JSON under the metadata key {@value #MANIFEST}. Built from the heap copies of the weights,
 * without the engine.
 */
public final class ModelExport {
    public static final String MANIFEST = "transferlab.manifest";

    private static final Map<String, String> HEAD_NAMES = Map.of(
            "fc1.weight", "classifier.0.weight", "fc1.bias", "classifier.0.bias",
            "fc2.weight", "classifier.2.weight", "fc2.bias", "classifier.2.bias");

    private final ObjectStore store;
    /**
     * The state dict of the backbone exported last, with its hash: every model on one backbone exports the same
     * tensors, and rebuilding them took seconds per job (random weights regenerated from their seed, or the weights
     * file fetched and parsed again). Held softly, so the collector reclaims its megabytes when the heap runs short.
     */
    private volatile SoftReference<StateDict> last = new SoftReference<>(null);

    private record StateDict(BackboneSpec spec, String weights, Map<String, Tensor> tensors, String sha256) {
    }

    public ModelExport(ObjectStore store) {
        this.store = store;
    }

    /**
     * The file's bytes, or empty for a model on a TorchScript backbone, whose parameters have no torchvision names.
     *
     * @throws JobFailure when the backbone's weights are missing, or are not those the model was trained on
     */
    public Optional<byte[]> build(ModelManifest manifest, Map<String, Tensor> headWeights) {
        if (manifest.backbone().isTorchScript()) {
            return Optional.empty();
        }
        StateDict backbone = stateDict(manifest);
        if (!backbone.sha256().equals(manifest.backboneSha256())) {
            throw new JobFailure("the backbone weights at " + manifest.backboneWeights() + " have SHA-256 "
                    + backbone.sha256() + " but model " + manifest.modelId() + " was trained on "
                    + manifest.backboneSha256());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>(backbone.tensors());
        headWeights.forEach((name, tensor) -> tensors.put(HEAD_NAMES.get(name), tensor));
        return Optional.of(SafeTensors.write(tensors, Map.of("format", "pt", MANIFEST, Messages.toJson(manifest))));
    }

    /**
     * The backbone's state dict, the last one again when it is the same backbone with the hash this model was trained
     * on (those are the weights the export must carry, whatever is stored at their location now).
     */
    private StateDict stateDict(ModelManifest manifest) {
        StateDict cached = last.get();
        if (cached != null && cached.spec().equals(manifest.backbone())
                && cached.weights().equals(manifest.backboneWeights())
                && cached.sha256().equals(manifest.backboneSha256())) {
            return cached;
        }
        Map<String, Tensor> tensors = backbone(manifest);
        StateDict built = new StateDict(manifest.backbone(), manifest.backboneWeights(), tensors,
                DenseNetWeights.sha256(tensors));
        last = new SoftReference<>(built);
        return built;
    }

    /** The backbone's parameters as inference builds them: from the seed, or from the stored weights file. */
    private Map<String, Tensor> backbone(ModelManifest manifest) {
        DenseNet network = new DenseNet(manifest.backbone());
        OptionalLong seed = BackboneProvider.randomSeed(manifest.backboneWeights());
        if (seed.isPresent()) {
            return DenseNetWeights.randomStateDict(network, seed.getAsLong());
        }
        byte[] file = store.get(store.locate(manifest.backboneWeights())).orElseThrow(() -> new JobFailure(
                "the backbone weights of model " + manifest.modelId() + " are missing at "
                        + manifest.backboneWeights()));
        return DenseNetWeights.checked(network, WeightsFile.read(file));
    }
}
