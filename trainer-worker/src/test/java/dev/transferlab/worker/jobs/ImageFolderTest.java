package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.storage.ObjectLocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ImageFolderTest {

    private static final Hyperparameters HP = new Hyperparameters(1, 4, 1e-3, 8, 0.25, 7, null, 0.2);

    @Test
    void threeFoldersAreUsedAsTheyAre() {
        ImageFolder folder = folder(items("train", 10), items("val", 4), items("test", 6));

        StratifiedSplit.Parts<ImageFolder.Item> sets = folder.sets(HP);

        assertThat(sets.train()).isEqualTo(folder.train());
        assertThat(sets.validation()).isEqualTo(folder.val());
        assertThat(sets.test()).isEqualTo(folder.test());
    }

    @Test
    void withOnlyATestFolderValidationIsHeldOutOfTrainAndTestIsNeverSeenBySelection() {
        ImageFolder folder = folder(items("train", 20), List.of(), items("test", 6));

        StratifiedSplit.Parts<ImageFolder.Item> sets = folder.sets(HP);

        assertThat(sets.test()).isEqualTo(folder.test());
        assertThat(sets.validation()).hasSize(6).allMatch(i -> i.path().startsWith("train/"));
        assertThat(perClass(sets.validation())).containsExactly(3, 3);
        assertThat(union(sets.train(), sets.validation())).containsExactlyInAnyOrderElementsOf(folder.train());
    }

    @Test
    void withOnlyAValFolderThatFolderIsTheTestSet() {
        ImageFolder folder = folder(items("train", 20), items("val", 6), List.of());

        StratifiedSplit.Parts<ImageFolder.Item> sets = folder.sets(HP);

        assertThat(sets.test()).isEqualTo(folder.val());
        assertThat(sets.validation()).hasSize(6).allMatch(i -> i.path().startsWith("train/"));
    }

    @Test
    void oneFolderIsSplitThreeWaysByClassReproduciblyForTheSeed() {
        ImageFolder folder = folder(items("c", 40), List.of(), List.of());

        StratifiedSplit.Parts<ImageFolder.Item> sets = folder.sets(HP);

        assertThat(perClass(sets.test())).containsExactly(4, 4);
        assertThat(perClass(sets.validation())).containsExactly(5, 5);
        assertThat(perClass(sets.train())).containsExactly(11, 11);
        assertThat(union(union(sets.train(), sets.validation()), sets.test()))
                .containsExactlyInAnyOrderElementsOf(folder.train());
        assertThat(folder.sets(HP)).isEqualTo(sets);
        assertThat(folder.sets(new Hyperparameters(1, 4, 1e-3, 8, 0.25, 8, null, 0.2)).test())
                .isNotEqualTo(sets.test());
    }

    @Test
    void aTestFractionOfZeroLeavesTheTwoWaySplitOfBefore() {
        ImageFolder folder = folder(items("c", 40), List.of(), List.of());

        StratifiedSplit.Parts<ImageFolder.Item> sets = folder.sets(new Hyperparameters(1, 4, 1e-3, 8, 0.25, 7, null,
                0.0));

        assertThat(sets.test()).isEmpty();
        assertThat(perClass(sets.validation())).containsExactly(5, 5);
    }

    private static ImageFolder folder(List<ImageFolder.Item> train, List<ImageFolder.Item> val,
            List<ImageFolder.Item> test) {
        return new ImageFolder(List.of("cat", "dog"), train, val, test, "hash");
    }

    /** {@code n} images, alternately of class 0 and 1. */
    private static List<ImageFolder.Item> items(String folder, int n) {
        return IntStream.range(0, n).mapToObj(i -> new ImageFolder.Item(ObjectLocation.parse("s3://b/" + folder + "/"
                + i + ".jpg", "b"), folder + "/" + (i % 2 == 0 ? "cat" : "dog") + "/" + i + ".jpg", i % 2)).toList();
    }

    private static List<Integer> perClass(List<ImageFolder.Item> items) {
        return List.of((int) items.stream().filter(i -> i.label() == 0).count(),
                (int) items.stream().filter(i -> i.label() == 1).count());
    }

    private static List<ImageFolder.Item> union(List<ImageFolder.Item> a, List<ImageFolder.Item> b) {
        List<ImageFolder.Item> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
