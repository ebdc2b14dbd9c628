package dev.transferlab.worker.bench;

import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.DecodePipeline;
import dev.transferlab.worker.ml.ImagePreprocessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Decode-and-preprocess throughput of the worker's pipeline (JPEG decode, antialiased resize to 255, centre crop
 * 224, normalise), with one thread and with one per core. No backbone: this is the part the pool parallelises.
 * Run with {@code bench/decode.sh [--images N] [--width W] [--height H] [--format jpeg|png] [--write DIR]}; with
 * {@code --write} the generated images are also saved in DIR, for bench/decode_pil.py to decode the same files.
 */
public final class DecodeBenchmark {
    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int images = 400;
        int width = 500;
        int height = 375;
        String format = "jpeg";
        Path write = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--height" -> height = Integer.parseInt(args[++i]);
                case "--format" -> format = args[++i];
                case "--write" -> write = Path.of(args[++i]);
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
        if (write != null) {
            Files.createDirectories(write);
            for (int i = 0; i < encoded.size(); i++) {
                String name = String.format(Locale.ROOT, "%05d.%s", i, png ? "png" : "jpg");
                Files.write(write.resolve(name), encoded.get(i));
            }
        }
        double kb = encoded.stream().mapToInt(b -> b.length).average().orElse(0) / 1024;
        int cores = DecodePipeline.defaultThreads();
        System.out.printf(Locale.ROOT, "%d generated %dx%d %ss (%.0f KB on average), %d cores%n", images, width,
                height, format.toUpperCase(Locale.ROOT), kb, cores);
        // The worker's default decode limits.
        ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingSpec.imagenet(),
                new DecodeBudget(512L << 20, 0));
        List<Integer> counts = cores > 1 ? List.of(1, cores) : List.of(1);
        double single = 0;
        for (int threads : counts) {
            run(preprocessor, threads, encoded.subList(0, Math.min(50, images))); // warm-up: JIT, ImageIO readers
            double rate = run(preprocessor, threads, encoded);
            single = threads == 1 ? rate : single;
            System.out.printf(Locale.ROOT, "decode + preprocess, %d thread%s: %.1f images/s%s%n", threads,
                    threads == 1 ? " " : "s", rate, threads == 1 ? "" : String.format(Locale.ROOT,
                            " (%.2fx one thread)", rate / single));
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
                throw new IllegalStateException("generated image " + item + " did not decode: " + reason);
            }
        });
        return done[0] / ((System.nanoTime() - start) / 1e9);
    }
}
