package dev.transferlab.api.models;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelExportFile;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Models are read from object storage, their system of record. */
@ApplicationScoped
public class Models {

    @Inject
    ObjectStore store;

    @Inject
    DatasetAccess access;

    public ModelManifest manifest(String tenant, String modelId) {
        if (!Ids.isValid(modelId)) {
            throw ProblemException.notFound("model", modelId);
        }
        byte[] json = store.get(store.inDefaultBucket(StorageLayout.modelManifest(tenant, modelId)))
                .orElseThrow(() -> ProblemException.notFound("model", modelId));
        try {
            return Messages.mapper().readValue(json, ModelManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("manifest of model " + modelId + " is unreadable", e);
        }
    }

    /** The stored model's evaluation report, which the worker wrote beside it; 404 for a model stored without one. */
    public EvaluationReport evaluation(String tenant, String modelId) {
        manifest(tenant, modelId);
        byte[] json = store.get(store.inDefaultBucket(StorageLayout.modelEvaluation(tenant, modelId)))
                .orElseThrow(() -> new ProblemException(Response.Status.NOT_FOUND, "model '" + modelId
                        + "' has no evaluation report: it was trained before the platform wrote them; train it again"));
        try {
            return Messages.mapper().readValue(json, EvaluationReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("evaluation report of model " + modelId + " is unreadable", e);
        }
    }

    /**
     * Where the model's training images are, while the tenant may still read them (a grant can be withdrawn): the
     * same rule as for training on them.
     */
    public String datasetLocation(String tenant, String modelId) {
        String dataset = manifest(tenant, modelId).dataset();
        if (dataset == null || access.trainingRefusal(tenant, dataset).isPresent()) {
            throw new ProblemException(Response.Status.NOT_FOUND, "the images model '" + modelId
                    + "' was trained on are not readable by this tenant any more");
        }
        return dataset;
    }

    /**
     * The model's export for PyTorch, put together as it streams from the backbone's part and the model's head weights
     * ({@link ModelExportFile}); a model stored when workers wrote each export whole has its own file. 404 for no such
     * model of this tenant, and, saying why, for a model that has no export.
     */
    public InputStream export(String tenant, String modelId) {
        ModelManifest manifest = manifest(tenant, modelId);
        if (manifest.backbone().isTorchScript()) {
            throw new ProblemException(Response.Status.NOT_FOUND, "model '" + modelId + "' has a torchscript "
                    + "backbone, whose parameters have no torchvision names; only DenseNet models are exported");
        }
        Optional<InputStream> part = store.open(store.inDefaultBucket(
                StorageLayout.backboneExport(manifest.backboneSha256())));
        if (part.isEmpty()) {
            return store.open(store.inDefaultBucket(StorageLayout.modelExport(tenant, modelId)))
                    .orElseThrow(() -> new ProblemException(Response.Status.NOT_FOUND, "model '" + modelId
                            + "' has no export: it was trained before the platform wrote exports; train it again"));
        }
        try {
            return ModelExportFile.assemble(part.get(), store.get(store.locate(manifest.headWeights()))
                    .orElseThrow(() -> new IOException("its head weights are missing at " + manifest.headWeights())),
                    manifest);
        } catch (IOException e) {
            closeQuietly(part.get());
            throw new UncheckedIOException("the export of model " + modelId + " cannot be put together", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the stream is abandoned either way
        }
    }
}
