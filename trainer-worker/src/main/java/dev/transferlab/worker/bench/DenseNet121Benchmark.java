package dev.transferlab.worker.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The Java side of bench/densenet121.sh: how long DenseNet121's weights take to load (read, parse, build the network,
 * copy them in) and how many images per second it turns into features at a given batch size, per wall-clock second
 * and per CPU second. Prints one JSON line, in the same form as the torchvision side.
 * Usage: DenseNet121Benchmark WEIGHTS BATCH ROUNDS
 */
public final class DenseNet121Benchmark {

    private DenseNet121Benchmark() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: DenseNet121Benchmark WEIGHTS BATCH ROUNDS");
            System.exit(2);
        }
        Path weights = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        // Started apart from the load: the engine's one-off start (natives unpacked, libtorch loaded) is not the
        // weights' cost, as Python's import torch is not counted on the other side.
        Engine engine = Engine.getInstance();
        long wall = System.nanoTime();
        long cpu = cpuNanos();
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, weights).build())) {
            double loadSeconds = (System.nanoTime() - wall) / 1e9;
            double loadCpu = (cpuNanos() - cpu) / 1e9;
            List<float[]> images = randomImages(batch);
            backbone.features(images); // warm-up
            wall = System.nanoTime();
            cpu = cpuNanos();
            long[] before = processStat();
            for (int r = 0; r < rounds; r++) {
                backbone.features(images);
            }
            long[] after = processStat();
            double seconds = (System.nanoTime() - wall) / 1e9;
            double cpuSeconds = (cpuNanos() - cpu) / 1e9;
            double kernelShare = (double) (after[2] - before[2]) / Math.max(1, after[1] + after[2] - before[1]
                    - before[2]);
            System.out.println(String.format(Locale.ROOT, "{\"engine\": \"DJL %s / %s %s\", \"threads\": %s, "
                            + "\"loadSeconds\": %.4f, \"loadCpuSeconds\": %.4f, \"featuresPerSecond\": %.3f, "
                            + "\"featuresPerCpuSecond\": %.3f, \"pageFaultsPerImage\": %.0f, \"kernelShare\": %.3f}",
                    Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(),
                    System.getProperty("ai.djl.pytorch.num_threads", "\"default\""), loadSeconds, loadCpu,
                    batch * rounds / seconds, batch * rounds / cpuSeconds,
                    (double) (after[0] - before[0]) / (batch * rounds), kernelShare));
        }
    }

    /** {@code count} 224x224 images of standard normal values, the same on every run. */
    static List<float[]> randomImages(int count) {
        List<float[]> images = new ArrayList<>();
        Random random = new Random(0);
        for (int i = 0; i < count; i++) {
            float[] image = new float[3 * 224 * 224];
            for (int j = 0; j < image.length; j++) {
                image[j] = (float) random.nextGaussian();
            }
            images.add(image);
        }
        return images;
    }

    /**
     * The process's minor page faults, user and kernel CPU ticks (Linux's /proc/self/stat, fields 10, 14 and 15): the
     * counts that show memory handed back to the kernel and mapped afresh, which a shared machine's load does not skew.
     */
    private static long[] processStat() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: field 3 is at index 0.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[7]), Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return new long[3];
        }
    }

    /** CPU time of the whole process, the engine's native threads included. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
