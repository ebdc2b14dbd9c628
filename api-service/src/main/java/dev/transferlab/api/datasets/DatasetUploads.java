package dev.transferlab.api.datasets;

import dev.transferlab.api.auth.AuditLog;
import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.auth.QuotaSettings;

import dev.transferlab.api.datasets.archive.Archive;
import dev.transferlab.api.datasets.archive.Archives;
import dev.transferlab.api.datasets.archive.UnreadableArchive;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.ContentHash;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an uploaded archive into a dataset: its images go to {@code datasets/<tenant>/<id>/files/}, then the manifest
 * is written. Any refusal or failure removes everything the upload wrote, so a refused upload leaves nothing behind.
 */
@ApplicationScoped
public class DatasetUploads {
    private static final Logger LOG = Logger.getLogger(DatasetUploads.class);

    @Inject
    ObjectStore store;

    @Inject
    DatasetManifests manifests;

    @Inject
    UploadLimits limits;

    @Inject
    QuotaSettings quotas;

    @Inject
    AuditLog audit;

    private final Map<String, StorageQuota.Usage> usage = new ConcurrentHashMap<>();

    public DatasetManifest upload(Caller caller, String name, InputStream body) {
        String tenant = caller.tenant();
        long stored = manifests.list(tenant).stream().filter(m -> m.kind() == DatasetManifest.Kind.UPLOAD)
                .mapToLong(DatasetManifest::bytes).sum();
        String id = DatasetManifests.newId();
        ObjectLocation files = store.inDefaultBucket(StorageLayout.datasetFiles(tenant, id));
        try (StorageQuota quota = new StorageQuota(tenant, quotas.datasetBytes(tenant), stored,
                usage.computeIfAbsent(tenant, t -> new StorageQuota.Usage()))) {
            quota.checkRoomLeft();
            ArchiveIngest ingest = new ArchiveIngest(store, files, limits.tally(quota));
            try (Archive archive = Archives.open(limits.limit(body), spoolDir())) {
                ingest.readAll(archive);
            }
            ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(ingest.images().keySet());
            layout.problem().ifPresent(problem -> {
                throw new ProblemException(422, "Unprocessable Content", problem);
            });
            Map<String, DatasetReport.FileFacts> facts = new LinkedHashMap<>();
            ingest.images().forEach((path, image) -> facts.put(path,
                    new DatasetReport.FileFacts(image.sha256(), image.size())));
            DatasetManifest manifest = DatasetReport.manifest(id, tenant, name, DatasetManifest.Kind.UPLOAD, files,
                    layout, facts, ContentHash.CONTENT, ingest.skipped(), limits.minImagesPerClass());
            manifests.save(manifest);
            audit.recordAndWait(caller, "dataset.uploaded", id, Map.of("name", String.valueOf(name),
                    "images", String.valueOf(manifest.images()), "bytes", String.valueOf(manifest.bytes())));
            quota.kept();
            return manifest;
        } catch (IOException | RuntimeException e) {
            discard(tenant, id);
            throw asProblem(e);
        }
    }

    private void discard(String tenant, String id) {
        try {
            manifests.delete(tenant, id);
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not remove the refused upload %s of tenant %s", id, tenant);
        }
    }

    /**
     * A limit crossed, or a broken archive, found deep inside a decompressor or the S3 client arrives wrapped; the
     * uploader needs to hear it. Anything else (the store failing) stays an internal error.
     */
    private static RuntimeException asProblem(Exception e) {
        UnreadableArchive unreadable = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException problem) {
                return problem;
            }
            if (t instanceof UploadLimits.TooLarge tooLarge) {
                return UploadLimits.tooLarge(tooLarge.getMessage());
            }
            if (t instanceof UnreadableArchive archive && unreadable == null) {
                unreadable = archive;
            }
        }
        if (unreadable == null && e instanceof IOException io) {
            unreadable = UnreadableArchive.damaged(io);
        }
        if (unreadable != null) {
            return new ProblemException(422, "Unprocessable Content", unreadable.getMessage());
        }
        return (RuntimeException) e;
    }

    private static Path spoolDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
