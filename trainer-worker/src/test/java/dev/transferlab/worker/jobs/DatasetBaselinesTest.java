package dev.transferlab.worker.jobs;

import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.storage.ObjectLocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DatasetBaselinesTest {

    private static final int FEATURES = 16;

    @Test
    void wellSeparatedClassesGiveAHighBaselineAndNoWarnings() {
        Dataset d = dataset(List.of("cat", "dog", "fox"), 30, (label, random) -> cluster(label, 0.3, random));

        LearnabilityBaseline b = d.probe().baseline();

        assertThat(b.accuracy()).isEqualTo(1.0);
        assertThat(b.folds()).isEqualTo(DatasetBaselines.MAX_FOLDS);
        assertThat(b.foldAccuracies()).hasSize(5);
        assertThat(b.images()).isEqualTo(90);
        assertThat(b.chanceAccuracy()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(b.confusion()).isEqualTo(new int[][] {{30, 0, 0}, {0, 30, 0}, {0, 0, 30}});
        assertThat(b.confusedPairs()).isEmpty();
        assertThat(b.warnings()).isEmpty();
        assertThat(b.contentHash()).isEqualTo("hash");
        assertThat(b.backboneSha256()).isEqualTo("sha");
    }

    @Test
    void twoClassesWithTheSameFeaturesAreNamedAsHardToTellApart() {
        // "wolf" images look like "dog" images: same cluster.
        Dataset d = dataset(List.of("cat", "dog", "wolf"), 30,
                (label, random) -> cluster(label == 2 ? 1 : label, 0.3, random));

        LearnabilityBaseline b = d.probe().baseline();

        assertThat(b.confusedPairs().get(0).first()).isEqualTo("dog");
        assertThat(b.confusedPairs().get(0).second()).isEqualTo("wolf");
        assertThat(b.confusedPairs().get(0).images()).isEqualTo(60);
        assertThat(b.confusedPairs().get(0).rate()).isGreaterThan(0.3);
        assertThat(b.warnings()).singleElement().asString()
                .startsWith("'dog' and 'wolf' are hard to tell apart: the probe mixed up");
        assertThat(b.accuracy()).isBetween(0.5, 0.9);
    }

    @Test
    void labelsTheFeaturesDoNotCarryAreWarnedAbout() {
        Dataset d = dataset(List.of("a", "b"), 40, (label, random) -> cluster(0, 1.0, random));

        LearnabilityBaseline b = d.probe().baseline();

        assertThat(b.warnings()).anySatisfy(w -> assertThat(w).contains("hardly above the 50.0% of always answering"));
    }

    @Test
    void aClassWithOneImageGetsAReasonInsteadOfABaseline() {
        Dataset d = dataset(List.of("many", "one"), 0, (label, random) -> cluster(label, 0.3, random));
        d.add(0, 5);
        d.add(1, 1);

        DatasetBaselines.Probed probed = d.probe();

        assertThat(probed.baseline()).isNull();
        assertThat(probed.notComputed()).isEqualTo("no learnability baseline: class 'one' has 1 decodable image; "
                + "a cross-validated probe needs 2 per class");
    }

    @Test
    void aLargeDatasetIsProbedOnAStratifiedSampleWithFewerFoldsForSmallClasses() {
        Dataset d = dataset(List.of("big", "small"), 0, (label, random) -> cluster(label, 0.3, random));
        d.add(0, 2600);
        d.add(1, 3);

        LearnabilityBaseline b = d.probe().baseline();

        assertThat(b.images()).isBetween(DatasetBaselines.MAX_IMAGES - 2, DatasetBaselines.MAX_IMAGES + 2);
        assertThat(b.folds()).isEqualTo(2);
        assertThat(b.confusion()[1][0] + b.confusion()[1][1]).isEqualTo(2);
    }

    interface Features {
        float[] of(int label, Random random);
    }

    private static float[] cluster(int centre, double spread, Random random) {
        float[] f = new float[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            f[j] = (float) ((j % 4 == centre ? 3 : 0) + random.nextGaussian() * spread);
        }
        return f;
    }

    private static Dataset dataset(List<String> classes, int perClass, Features features) {
        Dataset d = new Dataset(classes, features);
        for (int k = 0; k < classes.size(); k++) {
            d.add(k, perClass);
        }
        return d;
    }

    private static final class Dataset {
        final List<String> classes;
        final Features features;
        final Random random = new Random(42);
        final List<ImageFolder.Item> items = new ArrayList<>();
        final Map<String, float[]> table = new LinkedHashMap<>();

        Dataset(List<String> classes, Features features) {
            this.classes = classes;
            this.features = features;
        }

        void add(int label, int count) {
            for (int i = 0; i < count; i++) {
                String path = "train/" + classes.get(label) + "/" + items.size() + ".png";
                items.add(new ImageFolder.Item(new ObjectLocation("b", path), path, label));
                table.put(path, features.of(label, random));
            }
        }

        DatasetBaselines.Probed probe() {
            return DatasetBaselines.compute(new ImageFolder(classes, items, List.of(), List.of(), "hash"),
                    new FeatureTable(FEATURES, table, List.of()), "sha", "r255-c224");
        }
    }
}
