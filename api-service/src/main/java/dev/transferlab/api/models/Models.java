package dev.transferlab.api.models;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Models are read from object storage, their system of record. */
@ApplicationScoped
public class Models {

    @Inject
    ObjectStore store;

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
}
