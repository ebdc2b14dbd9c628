package dev.transferlab.common.dataset;

import dev.transferlab.common.dataset.ImageFolderLayout.Placement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ImageFolderLayoutTest {

    @Test
    void pathsWithAnEmptyNameAreSkippedNotPlaced() {
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(List.of("/", "cat//a.jpg", "cat/b.jpg",
                "dog/c.jpg", "dog/"));
        assertThat(layout.skipped()).extracting(SkippedFile::path)
                .containsExactlyInAnyOrder("/", "cat//a.jpg", "dog/");
        assertThat(layout.placed()).containsOnlyKeys("cat/b.jpg", "dog/c.jpg");
    }

    @Test
    void trainAndValFoldersAreSplitsAndFilesDeeperInAClassFolderBelongToIt() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("train/cat/1.jpg", "train/cat/sub/2.jpg",
                "train/dog/1.jpg", "val/cat/3.jpg", "val/dog/4.jpg", "test/dog/5.jpg"));

        assertThat(r.layout()).isEqualTo(DatasetManifest.Layout.SPLITS);
        assertThat(r.root()).isEmpty();
        assertThat(r.classes()).containsExactly("cat", "dog");
        assertThat(r.placed()).containsEntry("train/cat/sub/2.jpg", new Placement("train", "cat"))
                .containsEntry("test/dog/5.jpg", new Placement("test", "dog")).hasSize(6);
        assertThat(r.validationSplit()).contains("val");
        assertThat(r.counts()).isEqualTo(Map.of("train", Map.of("cat", 2, "dog", 1), "val", Map.of("cat", 1, "dog", 1),
                "test", Map.of("cat", 0, "dog", 1)));
        assertThat(r.counts().keySet()).containsExactly("train", "val", "test");
        assertThat(r.problem()).isEmpty();
    }

    @Test
    void testFolderValidatesWhenThereIsNoVal() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("train/a/1.png", "train/b/1.png",
                "test/a/2.png"));
        assertThat(r.validationSplit()).contains("test");
        assertThat(r.warnings(1)).containsExactly("class 'b' has no images in test/, so its accuracy is not measured");
    }

    @Test
    void classFoldersAloneAreSplitByTheJobAndTheCountsShowTheDefaultSplit() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("Ünïcode Ñame/1.png", "Ünïcode Ñame/2.png",
                "Ünïcode Ñame/3.png", "Ünïcode Ñame/4.png", "Ünïcode Ñame/5.png", "cat/1.png", "Cat/1.png",
                "readme.txt"));

        assertThat(r.layout()).isEqualTo(DatasetManifest.Layout.CLASSES);
        // Case and Unicode are kept: "Cat" and "cat" are two classes.
        assertThat(r.classes()).containsExactly("Cat", "cat", "Ünïcode Ñame");
        assertThat(r.validationSplit()).isEmpty();
        assertThat(r.counts().keySet()).containsExactly("train", "val", "test");
        assertThat(r.counts().get("train")).containsEntry("Ünïcode Ñame", 3).containsEntry("cat", 1);
        assertThat(r.counts().get("val")).containsEntry("Ünïcode Ñame", 1).containsEntry("cat", 0);
        assertThat(r.counts().get("test")).containsEntry("Ünïcode Ñame", 1).containsEntry("cat", 0);
        assertThat(r.skipped()).containsExactly(new SkippedFile("readme.txt", "not inside a class folder"));
        assertThat(r.warnings(3)).containsExactly(
                "class 'Cat' has only 1 training image; at least 3 are recommended",
                "class 'cat' has only 1 training image; at least 3 are recommended");
        assertThat(r.warnings(4)).contains("class 'Ünïcode Ñame' has only 3 training images; at least 4 are "
                + "recommended");
    }

    @Test
    void aFolderWrappingEverythingIsLookedThrough() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("pets/train/cat/1.jpg",
                "pets/train/dog/1.jpg", "pets/notes/x.jpg", "LICENSE"));
        assertThat(r.root()).isEqualTo("pets/");
        assertThat(r.placed()).containsOnlyKeys("train/cat/1.jpg", "train/dog/1.jpg");
        assertThat(r.skipped()).containsExactlyInAnyOrder(
                new SkippedFile("LICENSE", "outside the dataset folder pets/"),
                new SkippedFile("pets/notes/x.jpg", "outside train/, val/ and test/"));
    }

    @Test
    void oneClassFolderIsNotMistakenForAWrapper() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("cat/1.jpg", "cat/2.jpg"));
        assertThat(r.root()).isEmpty();
        assertThat(r.problem()).contains("the dataset has only one class (cat); a classifier needs at least two");
    }

    @Test
    void validationClassesUnknownToTrainAndLooseFilesAreSkippedWithAReason() {
        ImageFolderLayout.Resolved r = ImageFolderLayout.resolve(List.of("train/a/1.png", "train/b/1.png",
                "val/zebra/1.png", "train/loose.png", "other/a/1.png"));
        assertThat(r.placed()).containsOnlyKeys("train/a/1.png", "train/b/1.png");
        assertThat(r.skipped()).extracting(SkippedFile::reason).containsExactlyInAnyOrder(
                "class 'zebra' has no images in train/", "not inside a class folder",
                "outside train/, val/ and test/");
    }

    @Test
    void nothingUsableIsAProblem() {
        assertThat(ImageFolderLayout.resolve(List.of("a.png")).problem()).get().asString()
                .startsWith("no images found");
    }

    @Test
    void hiddenFilesAreRecognisedAtAnyDepth() {
        assertThat(ImageFolderLayout.isHidden("train/cat/.DS_Store")).isTrue();
        assertThat(ImageFolderLayout.isHidden("__MACOSX/train/cat/._1.jpg")).isTrue();
        assertThat(ImageFolderLayout.isHidden(".git/config")).isTrue();
        assertThat(ImageFolderLayout.isHidden("train/cat/1.jpg")).isFalse();
        assertThat(ImageFolderLayout.isHidden("train/cat.dog/1.jpg")).isFalse();
    }
}
