package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectLocation;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset as listed from object storage: class names (sorted, as torchvision's ImageFolder orders them) and the
 * images of each split. {@code validation} is empty when the dataset has neither {@code val/} nor {@code test/}.
 *
 * @param contentHash identifies these images, for the feature cache
 */
public record ImageFolder(List<String> classes, List<Item> train, List<Item> validation, String contentHash) {

    /** @param path the image's path inside the dataset, e.g. {@code train/cat/1.jpg}: its name in the cache */
    public record Item(ObjectLocation location, String path, int label) {
    }

    /** Every image a job uses, training then validation. */
    public List<Item> all() {
        List<Item> all = new ArrayList<>(train);
        all.addAll(validation);
        return all;
    }
}
