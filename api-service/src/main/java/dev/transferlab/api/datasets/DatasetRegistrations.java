package dev.transferlab.api.datasets;

import dev.transferlab.api.auth.AuditLog;
import dev.transferlab.api.auth.Caller;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.images.ImageFormats;
import dev.transferlab.common.dataset.ContentHash;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers images already in object storage as a dataset, in place: only a manifest is written. The files are
 * listed, not read, so images are told by their names here and decoded (or skipped) by the worker.
 */
@ApplicationScoped
public class DatasetRegistrations {
    @Inject
    ObjectStore store;

    @Inject
    DatasetManifests manifests;

    @Inject
    UploadLimits limits;

    @Inject
    DatasetAccess access;

    @Inject
    AuditLog audit;

    /** Only prefixes granted to the tenant can be registered: 404 otherwise, so nothing is told of what is there. */
    public DatasetManifest register(Caller caller, String name, String location) {
        String tenant = caller.tenant();
        access.registrationRefusal(tenant, location).ifPresent(reason -> {
            throw ProblemException.badField(404, "Not Found", "location", reason);
        });
        ObjectLocation prefix = store.locate(location).asPrefix();
        List<S3Object> objects = list(prefix);
        if (objects.size() > limits.maxFiles()) {
            throw UploadLimits.tooLarge(prefix + " holds more than " + limits.maxFiles() + " files");
        }
        Map<String, DatasetReport.FileFacts> facts = new LinkedHashMap<>();
        List<SkippedFile> skipped = new ArrayList<>();
        for (S3Object object : objects) {
            String path = object.key().substring(prefix.key().length());
            if (path.isEmpty() || path.endsWith("/") || ImageFolderLayout.isHidden(path)) {
                continue;
            }
            if (ImageFormats.hasImageName(path)) {
                facts.put(path, new DatasetReport.FileFacts(object.eTag() + "/" + object.size(), object.size()));
            } else {
                skipped.add(new SkippedFile(path, "not an image file name (.jpg, .png, …)"));
            }
        }
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(facts.keySet());
        layout.problem().ifPresent(problem -> {
            throw new ProblemException(422, "Unprocessable Content", problem + " (under " + prefix + ")");
        });
        DatasetManifest manifest = DatasetReport.manifest(DatasetManifests.newId(), tenant, name,
                DatasetManifest.Kind.REGISTERED, prefix, layout, facts, ContentHash.LISTING, skipped,
                limits.minImagesPerClass());
        manifests.save(manifest);
        audit.recordAndWait(caller, "dataset.registered", manifest.id(), Map.of("location", prefix.toString(),
                "images", String.valueOf(manifest.images())));
        return manifest;
    }

    private List<S3Object> list(ObjectLocation prefix) {
        try {
            return store.list(prefix);
        } catch (SdkException e) {
            throw new ProblemException(422, "Unprocessable Content", "cannot list " + prefix + ": " + e.getMessage());
        }
    }
}
