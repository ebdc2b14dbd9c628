package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.model.LearnabilityBaseline.ConfusedPair;
import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.LinearProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The learnability baseline of a dataset's features: computed once per features and kept with the dataset (when the
 * job names one), so later jobs on the same images, backbone and preprocessing read it instead.
 */
final class DatasetBaselines {
    private static final Logger LOG = Logger.getLogger(DatasetBaselines.class.getName());

    /** Enough for a stable estimate, and few enough that the probe takes seconds, not minutes, on two cores. */
    static final int MAX_IMAGES = 2000;
    static final int MAX_FOLDS = 5;
    /** A pair whose images the probe mixes up this often gets a warning. */
    static final double CONFUSED_RATE = 0.15;
    static final int MAX_PAIRS = 10;

    private final ObjectStore store;

    DatasetBaselines(ObjectStore store) {
        this.store = store;
    }

    /** @param notComputed why there is no baseline, when {@code baseline} is null */
    record Probed(LearnabilityBaseline baseline, String notComputed) {

        /** What a learnability-baseline event says, in words. */
        String message() {
            return baseline == null ? notComputed : String.format(Locale.ROOT, "a linear probe on the features "
                    + "reaches %.1f%% (±%.1f, %d-fold on %d images; always answering the largest class: %.1f%%): the "
                    + "head should reach at least that", 100 * baseline.accuracy(), 100 * baseline.accuracyStd(),
                    baseline.folds(), baseline.images(), 100 * baseline.chanceAccuracy());
        }
    }

    /** The dataset's baseline, read back or computed (and then stored with the dataset when there is one). */
    Probed of(String tenant, String datasetId, ImageFolder dataset, FeatureTable table, String backboneSha256,
            String preprocessing) {
        Optional<ObjectLocation> key = Optional.ofNullable(datasetId).map(id -> store.inDefaultBucket(
                StorageLayout.datasetBaseline(tenant, id, backboneSha256, preprocessing)));
        Optional<LearnabilityBaseline> stored = key.flatMap(this::read)
                .filter(b -> b.contentHash().equals(dataset.contentHash()));
        if (stored.isPresent()) {
            return new Probed(stored.get(), null);
        }
        Probed probed = compute(dataset, table, backboneSha256, preprocessing);
        if (probed.baseline() != null && key.isPresent()) {
            try {
                store.put(key.get(), Messages.mapper().writeValueAsBytes(probed.baseline()), "application/json");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return probed;
    }

    static Probed compute(ImageFolder dataset, FeatureTable table, String backboneSha256, String preprocessing) {
        List<ImageFolder.Item> items = table.withFeatures(dataset.all());
        if (items.size() > MAX_IMAGES) {
            items = StratifiedSplit.split(items, ImageFolder.Item::label, 0, (double) MAX_IMAGES / items.size(), 0)
                    .test();
        }
        List<String> classes = dataset.classes();
        int[] counts = new int[classes.size()];
        items.forEach(item -> counts[item.label()]++);
        int smallest = Arrays.stream(counts).min().orElse(0);
        if (smallest < 2) {
            int k = Arrays.stream(counts).boxed().toList().indexOf(smallest);
            return new Probed(null, "no learnability baseline: class '" + classes.get(k) + "' has " + smallest
                    + " decodable image" + (smallest == 1 ? "" : "s") + "; a cross-validated probe needs 2 per class");
        }
        int folds = Math.min(MAX_FOLDS, smallest);
        LabelledFeatures features = table.labelled(items);
        LinearProbe.Result result = new LinearProbe(LinearProbe.DEFAULT_C, LinearProbe.DEFAULT_EPS).crossValidate(
                features.features(), features.labels(), classes.size(),
                LinearProbe.stratifiedFolds(features.labels(), classes.size(), folds, 0), folds);
        double mean = Arrays.stream(result.foldAccuracies()).average().orElseThrow();
        double std = Math.sqrt(Arrays.stream(result.foldAccuracies()).map(a -> (a - mean) * (a - mean)).average()
                .orElseThrow());
        double chance = (double) Arrays.stream(counts).max().orElseThrow() / items.size();
        List<ConfusedPair> pairs = confusedPairs(result.confusion(), classes);
        List<String> warnings = new ArrayList<>();
        if (mean < chance + Math.max(0.05, 2 * std)) {
            warnings.add(String.format(Locale.ROOT, "a linear probe on the features reaches %.1f%%, hardly above "
                    + "the %.1f%% of always answering the largest class: the images may not show what the labels "
                    + "say, or the backbone's features may not fit them", 100 * mean, 100 * chance));
        }
        pairs.stream().filter(p -> p.rate() >= CONFUSED_RATE).forEach(p -> warnings.add(String.format(Locale.ROOT,
                "'%s' and '%s' are hard to tell apart: the probe mixed up %d of their %d images (%.0f%%)",
                p.first(), p.second(), p.confused(), p.images(), 100 * p.rate())));
        String probe = String.format(Locale.ROOT, "logistic regression (L2, C=%s, one class against the rest, "
                + "liblinear primal), %d-fold stratified cross-validation", LinearProbe.DEFAULT_C, folds);
        return new Probed(new LearnabilityBaseline(Messages.SCHEMA_VERSION, probe, items.size(), folds, mean, std,
                Arrays.stream(result.foldAccuracies()).boxed().toList(), chance, classes, result.confusion(), pairs,
                warnings, dataset.contentHash(), backboneSha256, preprocessing, Instant.now()), null);
    }

    private static List<ConfusedPair> confusedPairs(int[][] confusion, List<String> classes) {
        List<ConfusedPair> pairs = new ArrayList<>();
        for (int a = 0; a < confusion.length; a++) {
            for (int b = a + 1; b < confusion.length; b++) {
                int confused = confusion[a][b] + confusion[b][a];
                int images = Arrays.stream(confusion[a]).sum() + Arrays.stream(confusion[b]).sum();
                if (confused > 0) {
                    pairs.add(new ConfusedPair(classes.get(a), classes.get(b), confused, images,
                            (double) confused / images));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(ConfusedPair::rate).reversed());
        return List.copyOf(pairs.subList(0, Math.min(MAX_PAIRS, pairs.size())));
    }

    private Optional<LearnabilityBaseline> read(ObjectLocation key) {
        try {
            Optional<byte[]> json = store.get(key);
            return json.isEmpty() ? Optional.empty()
                    : Optional.of(Messages.mapper().readValue(json.get(), LearnabilityBaseline.class));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "the baseline at " + key + " is unreadable; computing it again", e);
            return Optional.empty();
        }
    }
}
