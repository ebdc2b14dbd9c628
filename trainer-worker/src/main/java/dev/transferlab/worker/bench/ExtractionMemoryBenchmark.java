package dev.transferlab.worker.bench;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.DecodePipeline;
import dev.transferlab.worker.ml.ImagePreprocessor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Peak heap and native memory while the worker's pipeline extracts features from generated images on disk: parallel
 * decode, batches through the backbone, every feature vector kept (as a job keeps them for the head). Run with
 * {@code bench/extraction-memory.sh [--images N] [--backbone densenet121|tiny] [--batch B]}; the script fixes -Xmx.
 */
public final class ExtractionMemoryBenchmark {
    private ExtractionMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int images = 10_000;
        int batch = 8;
        BackboneSpec spec = BackboneSpec.densenet121();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--backbone" -> spec = args[++i].equals("tiny")
                        ? new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2) : BackboneSpec.densenet121();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("extraction-bench-");
        try {
            List<Path> files = generate(dir, images);
            run(spec, batch, files);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<Path> generate(Path dir, int images) {
        long start = System.nanoTime();
        List<Path> files = IntStream.range(0, images).parallel().mapToObj(i -> {
            Path file = dir.resolve(i + ".jpg");
            try {
                Files.write(file, GeneratedPhotos.jpeg(320 + i % 7 * 20, 240 + i % 5 * 20, i));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file;
        }).toList();
        System.out.printf(Locale.ROOT, "generated %d JPEGs (320..440 x 240..320) in %.0f s%n", images,
                (System.nanoTime() - start) / 1e9);
        return files;
    }

    private static void run(BackboneSpec spec, int batch, List<Path> files) throws InterruptedException {
        System.gc();
        try (Backbone backbone = BackboneCriteria.randomDenseNet(spec, Device.cpu(), 0)) {
            int threads = DecodePipeline.defaultThreads();
            // The worker's default decode limits.
            DecodePipeline<Path> pipeline = new DecodePipeline<>(new ImagePreprocessor(PreprocessingSpec.imagenet(),
                    new DecodeBudget(512L << 20, 0)), threads, batch);
            Memory memory = Memory.sample();
            long rssBefore = Memory.rss();
            long heapBefore = memory.heapUsedNow();
            float[][] features = new float[files.size()][];
            int[] done = new int[1];
            long start = System.nanoTime();
            pipeline.run(files, ExtractionMemoryBenchmark::read, new DecodePipeline.Sink<>() {
                @Override
                public void batch(List<Path> items, List<float[]> tensors) {
                    float[][] rows = backbone.features(tensors);
                    for (float[] row : rows) {
                        features[done[0]++] = row;
                    }
                    if (done[0] % 1000 < items.size()) {
                        System.out.printf(Locale.ROOT, "  %5d images, %.1f images/s, RSS %d MB%n", done[0],
                                done[0] / ((System.nanoTime() - start) / 1e9), Memory.rss() >> 20);
                    }
                }

                @Override
                public void skipped(Path item, String reason) {
                    throw new IllegalStateException(item + " did not decode: " + reason);
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            memory.stop();
            long featureBytes = (long) done[0] * backbone.featureSize() * 4;
            System.out.printf(Locale.ROOT, "%s: %d images in %.0f s (%.1f images/s), batch %d, %d decode threads, "
                            + "window %d images%n", spec.name(), done[0], seconds, done[0] / seconds, batch, threads,
                    pipeline.window());
            System.out.printf(Locale.ROOT, "heap: max %d MB (-Xmx), used before %d MB, peak used %d MB; "
                            + "the features themselves are %d MB (%d floats per image)%n",
                    Runtime.getRuntime().maxMemory() >> 20, heapBefore >> 20, memory.peakHeap() >> 20,
                    featureBytes >> 20, backbone.featureSize());
            System.out.printf(Locale.ROOT, "process RSS: %d MB with the backbone loaded, peak %d MB (VmHWM); peak "
                            + "native (RSS minus committed heap) %d MB%n", rssBefore >> 20, Memory.peakRss() >> 20,
                    memory.peakNative() >> 20);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Samples the heap in use and the resident set every 20 ms, keeping the peaks. */
    private static final class Memory {
        private final AtomicLong peakHeap = new AtomicLong();
        private final AtomicLong peakNative = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        private Memory() {
            thread = new Thread(() -> {
                while (running) {
                    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    peakHeap.accumulateAndGet(heap.getUsed(), Math::max);
                    peakNative.accumulateAndGet(rss() - heap.getCommitted(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-sampler");
            thread.setDaemon(true);
        }

        static Memory sample() {
            Memory memory = new Memory();
            memory.thread.start();
            return memory;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        long heapUsedNow() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        long peakHeap() {
            return peakHeap.get();
        }

        long peakNative() {
            return peakNative.get();
        }

        static long rss() {
            return status("VmRSS:");
        }

        static long peakRss() {
            return status("VmHWM:");
        }

        private static long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(field)) {
                        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }
}
