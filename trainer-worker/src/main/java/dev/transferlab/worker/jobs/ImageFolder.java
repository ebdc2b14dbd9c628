package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.storage.ObjectLocation;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset as listed from object storage: class names (sorted, as torchvision's ImageFolder orders them) and the
 * images of each folder: {@code train/} (or the one folder of classes), {@code val/} and {@code test/}, the last two
 * empty when absent.
 *
 * @param contentHash identifies these images, for the feature cache
 */
public record ImageFolder(List<String> classes, List<Item> train, List<Item> val, List<Item> test,
                          String contentHash) {

    /** @param path the image's path inside the dataset, e.g. {@code train/cat/1.jpg}: its name in the cache */
    public record Item(ObjectLocation location, String path, int label) {
    }

    /** Every image a job uses: training, validation and test. */
    public List<Item> all() {
        List<Item> all = new ArrayList<>(train);
        all.addAll(val);
        all.addAll(test);
        return all;
    }

    /**
     * The three sets a job uses. {@code train/}, {@code val/} and {@code test/} are used as they are. With only one of
     * {@code val/} and {@code test/}, that folder is the test set and a stratified validation part of {@code train/}
     * is held out; a single folder of classes is split three ways. Selection sees validation only, so the test
     * figures of the stored model are not chosen on test.
     */
    public StratifiedSplit.Parts<Item> sets(Hyperparameters hp) {
        if (!val.isEmpty() && !test.isEmpty()) {
            return new StratifiedSplit.Parts<>(train, val, test);
        }
        if (!val.isEmpty() || !test.isEmpty()) {
            StratifiedSplit.Parts<Item> held = StratifiedSplit.split(train, Item::label, hp.validationFraction(), 0,
                    hp.seed());
            return new StratifiedSplit.Parts<>(held.train(), held.validation(), val.isEmpty() ? test : val);
        }
        return StratifiedSplit.split(train, Item::label, hp.validationFraction(), hp.testFractionOrDefault(),
                hp.seed());
    }
}
