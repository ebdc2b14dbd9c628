package dev.transferlab.worker.jobs;

import dev.transferlab.common.dataset.ContentHash;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.ImageFolderLayout;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Lists a job's dataset and places its images by the layout rules the API reports with ({@link ImageFolderLayout}).
 * Every file that is not hidden is a candidate image; one that does not decode is skipped later, with its reason.
 */
public final class ImageFolderLister {
    private final ObjectStore store;

    public ImageFolderLister(ObjectStore store) {
        this.store = store;
    }

    public ImageFolder list(TrainingRequest request) {
        ObjectLocation root = store.locate(request.dataset()).asPrefix();
        Map<String, S3Object> objects = files(root);
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(objects.keySet());
        layout.problem().ifPresent(problem -> {
            throw new JobFailure(problem + " (under " + root + ")");
        });
        return placed(root, objects, layout, request.tenant(), request.datasetId());
    }

    /**
     * The images a batch prediction job classifies, sorted by path: every placed image of an ImageFolder tree (all
     * its splits), under the paths and content hash a training job on it caches features with; or, when the location
     * is no ImageFolder tree (a flat folder of images), every file in it.
     */
    public PredictionInput listForPrediction(String tenant, String location, String datasetId) {
        ObjectLocation root = store.locate(location).asPrefix();
        Map<String, S3Object> objects = files(root);
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(objects.keySet());
        if (layout.problem().isEmpty()) {
            ObjectLocation base = root.child(layout.root());
            // placed() is sorted by path: every split, not only the ones a training job uses.
            List<ImageFolder.Item> items = layout.placed().entrySet().stream().map(e -> new ImageFolder.Item(
                    base.child(e.getKey()), e.getKey(), layout.classes().indexOf(e.getValue().className()))).toList();
            return new PredictionInput(items, placed(root, objects, layout, tenant, datasetId).contentHash());
        }
        if (objects.isEmpty()) {
            throw new JobFailure("no images under " + root);
        }
        TreeMap<String, String> fingerprints = new TreeMap<>();
        objects.forEach((path, object) -> fingerprints.put(path, object.eTag() + "/" + object.size()));
        List<ImageFolder.Item> items = fingerprints.keySet().stream()
                .map(path -> new ImageFolder.Item(root.child(path), path, -1)).toList();
        return new PredictionInput(items, uploadedContentHash(tenant, datasetId)
                .orElseGet(() -> ContentHash.of(ContentHash.LISTING, fingerprints)));
    }

    /** The images of a batch prediction job, and the content hash their cached features are found under. */
    public record PredictionInput(List<ImageFolder.Item> items, String contentHash) {
    }

    /** Every file under the prefix that is not hidden, by its path below it. */
    private Map<String, S3Object> files(ObjectLocation root) {
        Map<String, S3Object> objects = new HashMap<>();
        for (S3Object object : store.list(root)) {
            String path = object.key().substring(root.key().length());
            if (!path.isEmpty() && !path.endsWith("/") && !ImageFolderLayout.isHidden(path)) {
                objects.put(path, object);
            }
        }
        return objects;
    }

    private ImageFolder placed(ObjectLocation root, Map<String, S3Object> objects, ImageFolderLayout.Resolved layout,
                               String tenant, String datasetId) {
        ObjectLocation base = root.child(layout.root());
        List<ImageFolder.Item> train = new ArrayList<>();
        List<ImageFolder.Item> val = new ArrayList<>();
        List<ImageFolder.Item> test = new ArrayList<>();
        TreeMap<String, String> fingerprints = new TreeMap<>();
        layout.placed().forEach((path, placement) -> {
            ImageFolder.Item item = new ImageFolder.Item(base.child(path), path,
                    layout.classes().indexOf(placement.className()));
            switch (placement.split()) {
                case ImageFolderLayout.TRAIN -> train.add(item);
                case ImageFolderLayout.VAL -> val.add(item);
                default -> test.add(item);
            }
            S3Object object = objects.get(layout.root() + path);
            fingerprints.put(path, object.eTag() + "/" + object.size());
        });
        String hash = uploadedContentHash(tenant, datasetId)
                .orElseGet(() -> ContentHash.of(ContentHash.LISTING, fingerprints));
        return new ImageFolder(layout.classes(), train, val, test, hash);
    }

    /**
     * An uploaded dataset's hash covers its files' contents, so a re-upload of the same files finds the same cached
     * features. Registered data may have changed since it was registered: its listing is hashed afresh instead.
     */
    private Optional<String> uploadedContentHash(String tenant, String datasetId) {
        if (datasetId == null) {
            return Optional.empty();
        }
        byte[] json = store.get(store.inDefaultBucket(StorageLayout.datasetManifest(tenant, datasetId)))
                .orElseThrow(() -> new JobFailure("dataset " + datasetId + " no longer exists"));
        try {
            DatasetManifest manifest = Messages.mapper().readValue(json, DatasetManifest.class);
            return manifest.kind() == DatasetManifest.Kind.UPLOAD ? Optional.of(manifest.contentHash())
                    : Optional.empty();
        } catch (IOException e) {
            throw new JobFailure("the manifest of dataset " + datasetId + " is unreadable: "
                    + e.getMessage(), e);
        }
    }
}
