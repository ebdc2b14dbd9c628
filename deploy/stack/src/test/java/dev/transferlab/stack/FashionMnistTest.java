package dev.transferlab.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void writesEachChosenLabelsImagesAsPngsUnderTheirClassName() throws IOException {
        // Five 2x3 images labelled 0, 9, 0, 1, 0; pixel values 10*i + position.
        byte[] pixels = new byte[5 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (10 * (i / 6) + i % 6);
        }
        Path images = idx("images.gz", 0x803, new int[] {5, 2, 3}, pixels);
        Path labels = idx("labels.gz", 0x801, new int[] {5}, new byte[] {0, 9, 0, 1, 0});

        int written = FashionMnist.export(images, labels, dir.resolve("train"), List.of(0, 9), 2);

        assertThat(written).isEqualTo(3);
        assertThat(dir.resolve("train/T-shirt_top")).isDirectoryContaining(p -> p.endsWith("0.png"))
                .isDirectoryContaining(p -> p.endsWith("2.png")).isDirectoryNotContaining(p -> p.endsWith("4.png"));
        assertThat(dir.resolve("train/Trouser")).doesNotExist();
        BufferedImage boot = ImageIO.read(dir.resolve("train/Ankle boot/1.png").toFile());
        assertThat(boot.getWidth()).isEqualTo(3);
        assertThat(boot.getHeight()).isEqualTo(2);
        assertThat(boot.getRaster().getSample(2, 1, 0)).isEqualTo(15);
    }

    @Test
    void refusesFilesThatAreNotIdxOfTheExpectedKind() throws IOException {
        Path labels = idx("labels.gz", 0x801, new int[] {1}, new byte[] {0});
        assertThatThrownBy(() -> FashionMnist.export(labels, labels, dir, List.of(0), 1))
                .hasMessageContaining("not an IDX file of 3 dimension(s)");
    }

    private Path idx(String name, int magic, int[] dims, byte[] data) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        return file;
    }
}
