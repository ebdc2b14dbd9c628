package dev.transferlab.worker.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The committed fixtures made by src/test/python/parity_fixtures.py (tiny mode): torch's and torchvision's own
 * outputs, which the Java side must reproduce.
 */
public final class ParityFixtures {

    private ParityFixtures() {
    }

    public static Path path(String name) {
        URL url = ParityFixtures.class.getResource("/parity/" + name);
        if (url == null) {
            throw new IllegalStateException("missing fixture parity/" + name + "; regenerate with "
                    + "/usr/bin/python3 src/test/python/parity_fixtures.py tiny src/test/resources/parity");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Tensor> tensors(String name) {
        return SafeTensors.read(bytes(name));
    }

    /** The largest absolute difference between two equally long arrays. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " and " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
