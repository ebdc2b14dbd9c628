package dev.transferlab.worker.ml;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes test images as the files a dataset holds. */
public final class TestImages {
    /** The worker's default per-image limit, with a budget of its own per test class. */
    public static DecodeBudget budget() {
        return new DecodeBudget(512L << 20, 1L << 30);
    }

    private TestImages() {
    }

    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
