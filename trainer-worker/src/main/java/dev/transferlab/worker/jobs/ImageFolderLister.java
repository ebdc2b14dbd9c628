package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads the layout of an ImageFolder dataset ({@code train/<class>/…}, optional {@code val/<class>/…}). */
public final class ImageFolderLister {
    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png");

    private final ObjectStore store;

    public ImageFolderLister(ObjectStore store) {
        this.store = store;
    }

    public ImageFolder list(ObjectLocation dataset) {
        ObjectLocation root = dataset.asPrefix();
        Split train = split(root.child("train/"));
        if (train.byClass.isEmpty()) {
            throw new JobFailure("no images found under " + root.child("train/")
                    + ": a dataset needs train/<class>/<image> objects (JPEG or PNG)");
        }
        if (train.byClass.size() < 2) {
            throw new JobFailure("the dataset at " + root + " has only one class (" + train.byClass.firstKey()
                    + "); a classifier needs at least two classes under train/");
        }
        List<String> classes = new ArrayList<>(train.byClass.keySet());
        Split validation = split(root.child("val/"));
        TreeSet<String> unknown = new TreeSet<>(validation.byClass.keySet());
        unknown.removeAll(classes);
        if (!unknown.isEmpty()) {
            throw new JobFailure("val/ has classes that train/ lacks: " + unknown);
        }
        return new ImageFolder(classes, train.items(classes), validation.items(classes),
                train.skipped + validation.skipped);
    }

    private Split split(ObjectLocation prefix) {
        Split split = new Split();
        for (S3Object object : store.list(prefix)) {
            String relative = object.key().substring(prefix.key().length());
            String[] parts = relative.split("/");
            if (parts.length != 2 || isHidden(parts[0]) || isHidden(parts[1])) {
                continue;
            }
            if (!isImageName(parts[1])) {
                split.skipped++;
                continue;
            }
            split.byClass.computeIfAbsent(parts[0], c -> new ArrayList<>())
                    .add(new ObjectLocation(prefix.bucket(), object.key()));
        }
        return split;
    }

    private static boolean isHidden(String name) {
        return name.startsWith(".") || name.equals("__MACOSX");
    }

    private static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return IMAGE_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    private static final class Split {
        final TreeMap<String, List<ObjectLocation>> byClass = new TreeMap<>();
        int skipped;

        List<ImageFolder.Item> items(List<String> classes) {
            List<ImageFolder.Item> items = new ArrayList<>();
            for (Map.Entry<String, List<ObjectLocation>> e : byClass.entrySet()) {
                int label = classes.indexOf(e.getKey());
                e.getValue().forEach(location -> items.add(new ImageFolder.Item(location, label)));
            }
            return items;
        }
    }
}
