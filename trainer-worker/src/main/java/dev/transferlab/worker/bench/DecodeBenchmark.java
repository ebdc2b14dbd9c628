package dev.transferlab.worker.bench;

import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.DecodePipeline;
import dev.transferlab.worker.ml.ImagePreprocessor;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Decode-and-preprocess throughput of the worker's pipeline (decode, antialiased resize to 255, centre crop 224,
 * normalise), with one thread and with one per core. No backbone: this is the part the pool parallelises.
 * {@code generate DIR [--images N] [--width W] [--height H] [--format jpeg|png]} writes photo-like files into DIR;
 * {@code DIR} decodes them, from bytes in memory. bench/decode.sh runs both, alternating with bench/decode_pil.py on
 * the same files.
 */
public final class DecodeBenchmark {
    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("generate")) {
            generate(args);
        } else if (args.length == 1) {
            measure(Path.of(args[0]));
        } else {
            throw new IllegalArgumentException("usage: generate DIR [--images N] [--width W] [--height H] "
                    + "[--format jpeg|png] | DIR");
        }
    }

    private static void generate(String[] args) throws IOException {
        Path directory = Path.of(args[1]);
        int images = 400;
        int width = 500;
        int height = 375;
        String format = "jpeg";
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--height" -> height = Integer.parseInt(args[++i]);
                case "--format" -> format = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int w = width;
        int h = height;
        boolean png = switch (format) {
            case "jpeg" -> false;
            case "png" -> true;
            default -> throw new IllegalArgumentException("unknown format " + format + "; use jpeg or png");
        };
        List<byte[]> encoded = IntStream.range(0, images).parallel()
                .mapToObj(i -> png ? GeneratedPhotos.png(w, h, i) : GeneratedPhotos.jpeg(w, h, i)).toList();
        Files.createDirectories(directory);
        for (int i = 0; i < encoded.size(); i++) {
            Files.write(directory.resolve(String.format(Locale.ROOT, "%05d.%s", i, png ? "png" : "jpg")),
                    encoded.get(i));
        }
        double kb = encoded.stream().mapToInt(b -> b.length).average().orElse(0) / 1024;
        System.out.printf(Locale.ROOT, "%d generated %dx%d %ss (%.0f KB on average), %d cores%n", images, width,
                height, format.toUpperCase(Locale.ROOT), kb, DecodePipeline.defaultThreads());
    }

    private static void measure(Path directory) throws IOException {
        List<byte[]> encoded = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                encoded.add(Files.readAllBytes(file));
            }
        }
        // The worker's default decode limits.
        ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingSpec.imagenet(),
                new DecodeBudget(512L << 20, 0));
        int cores = DecodePipeline.defaultThreads();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // Two whole passes first: on a loaded machine the JIT needs far more than a few images to finish compiling,
        // and its compiler threads' CPU time would count against the measured pass.
        for (int pass = 0; pass < 2; pass++) {
            run(preprocessor, cores, encoded);
        }
        for (int threads : cores > 1 ? List.of(1, cores) : List.of(1)) {
            long cpu = os.getProcessCpuTime();
            double rate = run(preprocessor, threads, encoded);
            // CPU time, which other builds on the machine disturb far less than the rate.
            System.out.printf(Locale.ROOT, "Java %s, %d thread%s: %.1f images/s, %.2f ms CPU per image%n",
                    System.getProperty("java.version"), threads, threads == 1 ? "" : "s", rate,
                    (os.getProcessCpuTime() - cpu) / 1e6 / encoded.size());
        }
    }

    private static double run(ImagePreprocessor preprocessor, int threads, List<byte[]> encoded) {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            items.add(i);
        }
        long start = System.nanoTime();
        int[] done = new int[1];
        new DecodePipeline<Integer>(preprocessor, threads, 8).run(items, encoded::get, new DecodePipeline.Sink<>() {
            @Override
            public void batch(List<Integer> batch, List<float[]> tensors) {
                done[0] += batch.size();
            }

            @Override
            public void skipped(Integer item, String reason) {
                throw new IllegalStateException("image " + item + " did not decode: " + reason);
            }
        });
        return done[0] / ((System.nanoTime() - start) / 1e9);
    }
}
