package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Dataset manifests in object storage, the datasets' system of record: there is no other registry. */
@ApplicationScoped
public class DatasetManifests {
    private static final String ID_PATTERN = "ds-[a-z0-9]{1,40}";

    @Inject
    ObjectStore store;

    static String newId() {
        return "ds-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    public Optional<DatasetManifest> find(String tenant, String id) {
        if (id == null || !id.matches(ID_PATTERN)) {
            return Optional.empty();
        }
        return store.get(store.inDefaultBucket(StorageLayout.datasetManifest(tenant, id))).map(json -> {
            try {
                return Messages.mapper().readValue(json, DatasetManifest.class);
            } catch (IOException e) {
                throw new UncheckedIOException("the manifest of dataset " + id + " is unreadable", e);
            }
        });
    }

    public DatasetManifest get(String tenant, String id) {
        return find(tenant, id).orElseThrow(() -> ProblemException.notFound("dataset", id));
    }

    /** The tenant's complete datasets, oldest first; an upload still in progress has no manifest yet. */
    public List<DatasetManifest> list(String tenant) {
        String prefix = StorageLayout.tenantDatasets(tenant);
        return store.listFolders(store.inDefaultBucket(prefix)).stream()
                .map(folder -> folder.substring(prefix.length(), folder.length() - 1))
                .map(id -> find(tenant, id)).flatMap(Optional::stream)
                .sorted(Comparator.comparing(DatasetManifest::createdAt)).toList();
    }

    void save(DatasetManifest manifest) {
        store.put(store.inDefaultBucket(StorageLayout.datasetManifest(manifest.tenant(), manifest.id())),
                Messages.toJson(manifest).getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** The manifest first, so the dataset is gone for every reader at once; then whatever else is under its prefix. */
    void delete(String tenant, String id) {
        store.delete(store.inDefaultBucket(StorageLayout.datasetManifest(tenant, id)));
        store.deleteAll(store.inDefaultBucket(StorageLayout.datasetPrefix(tenant, id)));
    }
}
