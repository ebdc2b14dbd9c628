package dev.transferlab.common.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link ImageFolderLayoutFuzzTest}: path lists of each layout, as the bytes its
 * FuzzedDataProvider reads strings from. Run from common with the test classpath.
 */
public final class ImageFolderLayoutSeeds {

    private ImageFolderLayoutSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of("src/test/resources/dev/transferlab/common/dataset/ImageFolderLayoutFuzzTestInputs/"
                + "anyPathsArePlacedOrSkipped");
        Files.createDirectories(dir);
        String[] layouts = {"train/cat/1.png\\train/dog/2.png\\val/cat/3.png\\test/dog/4.png\\README.md",
                "pets/cat/1.png\\pets/dog/2.png\\pets/dog/sub/3.png\\cover.png",
                "pets/train/a/1.png\\pets/val/b/2.png\\other/x.png", "a/1.png\\a/2.png", "//\\a//b\\\\x"};
        for (int i = 0; i < layouts.length; i++) {
            Files.write(dir.resolve("layout-" + i), (layouts[i] + "\u0010\u0000\u0000\u0000")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}
