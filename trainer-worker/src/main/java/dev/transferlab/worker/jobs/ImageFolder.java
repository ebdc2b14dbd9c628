package dev.transferlab.worker.jobs;

import dev.transferlab.common.storage.ObjectLocation;

import java.util.List;

/**
 * A dataset as listed from object storage: class names (sorted, as torchvision's ImageFolder orders them) and the
 * images of each split. {@code validation} is empty when the dataset has no {@code val/} folder.
 */
public record ImageFolder(List<String> classes, List<Item> train, List<Item> validation, int skippedFiles) {

    public record Item(ObjectLocation location, int label) {
    }
}
