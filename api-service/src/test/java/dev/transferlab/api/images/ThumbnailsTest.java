package dev.transferlab.api.images;

import dev.transferlab.api.http.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThumbnailsTest {
    private static final long MAX_PIXELS = 25_000_000;

    @Test
    void aThumbnailKeepsTheAspectAndIsAtMostTheSizeAsked() throws IOException {
        byte[] png = Thumbnails.png(image(600, 400, "png"), 128, MAX_PIXELS);

        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(thumbnail.getWidth()).isEqualTo(128);
        assertThat(thumbnail.getHeight()).isEqualTo(85);
        // The left half was red, the right half blue: still so after subsampling and scaling.
        assertThat(new Color(thumbnail.getRGB(10, 40)).getRed()).isGreaterThan(200);
        assertThat(new Color(thumbnail.getRGB(118, 40)).getBlue()).isGreaterThan(200);
    }

    @Test
    void aSmallImageIsNotEnlarged() throws IOException {
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(
                Thumbnails.png(image(40, 30, "jpeg"), 128, MAX_PIXELS)));
        assertThat(thumbnail.getWidth()).isEqualTo(40);
        assertThat(thumbnail.getHeight()).isEqualTo(30);
    }

    @Test
    void anImageDeclaringMorePixelsThanTheLimitIsRefusedBeforeDecoding() throws IOException {
        // 100,000 x 100,000 pixels would be 40 GB decoded; the file itself is a few hundred bytes.
        byte[] bomb = withDeclaredSize(image(8, 8, "png"), 100_000, 100_000);

        assertThatThrownBy(() -> Thumbnails.png(bomb, 128, MAX_PIXELS)).isInstanceOfSatisfying(
                ProblemException.class, e -> assertThat(e.getMessage()).contains("100000x100000"))
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(413);
    }

    @Test
    void aTruncatedImageIsUnprocessable() throws IOException {
        byte[] png = image(300, 200, "png");
        byte[] truncated = Arrays.copyOf(png, 60);

        assertThatThrownBy(() -> Thumbnails.png(truncated, 64, MAX_PIXELS))
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(422);
    }

    @Test
    void aFileThatIsNoImageIsUnsupported() {
        byte[] text = "just some notes".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> Thumbnails.png(text, 64, MAX_PIXELS))
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(415);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 257, 10_000})
    void sizesOutsideTheRangeAreRefused(int size) throws IOException {
        byte[] png = image(20, 20, "png");
        assertThatThrownBy(() -> Thumbnails.png(png, size, MAX_PIXELS))
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../acme/x.png", "train/../../x.png", "/etc/passwd", "train//cat.png", "train/./c.png",
            "train\\cat.png", "train/cat/", ""})
    void pathsThatCouldLeaveTheDatasetAreRefused(String path) {
        assertThatThrownBy(() -> DatasetImages.checked(path))
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(400);
    }

    @Test
    void plainRelativePathsAreKept() {
        assertThat(DatasetImages.checked("train/Chat noir/1.png")).isEqualTo("train/Chat noir/1.png");
    }

    private static byte[] image(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(Color.BLUE);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /** The PNG with its IHDR chunk's width and height replaced (and its CRC made right again). */
    private static byte[] withDeclaredSize(byte[] png, int width, int height) {
        byte[] patched = png.clone();
        ByteBuffer buffer = ByteBuffer.wrap(patched);
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height; the chunk's CRC follows its 13 bytes.
        buffer.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(patched, 12, 17);
        buffer.putInt(29, (int) crc.getValue());
        return patched;
    }
}
