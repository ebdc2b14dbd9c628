package dev.transferlab.api.datasets;

import dev.transferlab.api.auth.AuditLog;
import dev.transferlab.api.auth.Caller;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.jobs.JobProjection;
import dev.transferlab.api.jobs.JobView;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/** Looking datasets up, and deleting one that no queued or running job needs. */
@ApplicationScoped
public class Datasets {

    @Inject
    DatasetManifests manifests;

    @Inject
    JobProjection jobs;

    @Inject
    AuditLog audit;

    @Inject
    ObjectStore store;

    public DatasetManifest get(String tenant, String id) {
        return manifests.get(tenant, id);
    }

    /**
     * What linear probes on the dataset's features reached, one per backbone weights and preprocessing its jobs used,
     * newest first; empty until a job has computed the features.
     */
    public List<LearnabilityBaseline> baselines(String tenant, String id) {
        manifests.get(tenant, id);
        return store.list(store.inDefaultBucket(StorageLayout.datasetBaselines(tenant, id))).stream()
                .map(object -> store.get(new ObjectLocation(store.defaultBucket(), object.key())))
                .flatMap(Optional::stream)
                .map(Datasets::baseline)
                .sorted(Comparator.comparing(LearnabilityBaseline::computedAt).reversed())
                .toList();
    }

    private static LearnabilityBaseline baseline(byte[] json) {
        try {
            return Messages.mapper().readValue(json, LearnabilityBaseline.class);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored learnability baseline is unreadable", e);
        }
    }

    public List<DatasetManifest> list(String tenant) {
        return manifests.list(tenant).stream().map(DatasetManifest::summary).toList();
    }

    /**
     * Refused (409) while a job that this replica knows of is queued or running on the dataset, named by id or by its
     * location: deleting its files would fail the job halfway.
     */
    public void delete(Caller caller, String id) {
        String tenant = caller.tenant();
        DatasetManifest manifest = manifests.get(tenant, id);
        List<String> using = jobs.store().active(tenant).stream()
                .filter(job -> id.equals(job.datasetId())
                        || job.dataset() != null && job.dataset().startsWith(manifest.location()))
                .map(JobView::id).sorted().toList();
        if (!using.isEmpty()) {
            throw new ProblemException(409, "Conflict", "dataset " + id + " is in use by " + using.size()
                    + " queued or running job(s): " + String.join(", ", using) + "; delete it when they end");
        }
        manifests.delete(tenant, id);
        audit.recordAndWait(caller, "dataset.deleted", id, Map.of("name", String.valueOf(manifest.name())));
    }
}
