package dev.transferlab.worker.bench;

import dev.transferlab.worker.jobs.FeatureTable;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The sweep benchmark's data, so that no backbone has to run over its images: an ImageFolder of tiny distinct PNGs
 * ({@code dataset/train/class-NN/NNNNN.png}, what the benchmark uploads), {@link GeneratedFeatures} for every one of
 * them as the worker's own {@link FeatureTable} ({@code features.table}, which the benchmark puts at the dataset's
 * feature-cache key, so that every job and sweep on it is a cache hit), and the same rows for PyTorch
 * ({@code features.f32}: little-endian float32 rows in path order; {@code labels.i32}: little-endian int32).
 * Also {@code warmup/}, a 20-image dataset of 2 classes, whose one job shows the cache key's other parts.
 * <p>
 * {@code SweepFeatures DIR [--images 10000] [--classes 10]}; bench/sweeps.sh runs it.
 */
public final class SweepFeatures {
    private SweepFeatures() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int images = 10_000;
        int classes = 10;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--classes" -> classes = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int[] labels = new int[images];
        for (int i = 0; i < images; i++) {
            labels[i] = i % classes;
        }
        List<String> paths = writeImages(dir.resolve("dataset"), labels);
        writeImages(dir.resolve("warmup"), new int[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
        float[][] features = GeneratedFeatures.of(labels, classes, new Random(images));
        Map<String, float[]> byPath = new LinkedHashMap<>();
        for (int i = 0; i < images; i++) {
            byPath.put(paths.get(i), features[i]);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("features.table")))) {
            new FeatureTable(GeneratedFeatures.DIMS, byPath, List.of()).write(out);
        }
        ByteBuffer rows = ByteBuffer.allocate(4 * images * GeneratedFeatures.DIMS).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : features) {
            for (float v : row) {
                rows.putFloat(v);
            }
        }
        Files.write(dir.resolve("features.f32"), rows.array());
        ByteBuffer labelBytes = ByteBuffer.allocate(4 * images).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(labels).forEach(labelBytes::putInt);
        Files.write(dir.resolve("labels.i32"), labelBytes.array());
        System.out.printf("%d images of %d classes, %d features each, in %s%n", images, classes,
                GeneratedFeatures.DIMS, dir);
    }

    /** One 16x16 PNG per label, each with its own pixels (a dataset's content hash is of its files' bytes). */
    private static List<String> writeImages(Path root, int[] labels) throws IOException {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            String path = String.format("train/class-%02d/%05d.png", labels[i], i);
            Path file = root.resolve(path);
            Files.createDirectories(file.getParent());
            BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            Random pixels = new Random(i);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    image.setRGB(x, y, pixels.nextInt(0xffffff));
                }
            }
            ImageIO.write(image, "png", file.toFile());
            paths.add(path);
        }
        return paths;
    }
}
