package dev.transferlab.worker.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.lang.management.ManagementFactory;
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
            List<float[]> images = new ArrayList<>();
            Random random = new Random(0);
            for (int i = 0; i < batch; i++) {
                float[] image = new float[3 * 224 * 224];
                for (int j = 0; j < image.length; j++) {
                    image[j] = (float) random.nextGaussian();
                }
                images.add(image);
            }
            backbone.features(images); // warm-up
            wall = System.nanoTime();
            cpu = cpuNanos();
            for (int r = 0; r < rounds; r++) {
                backbone.features(images);
            }
            double seconds = (System.nanoTime() - wall) / 1e9;
            double cpuSeconds = (cpuNanos() - cpu) / 1e9;
            System.out.println(String.format(Locale.ROOT, "{\"engine\": \"DJL %s / %s %s\", \"threads\": %s, "
                            + "\"loadSeconds\": %.4f, \"loadCpuSeconds\": %.4f, \"featuresPerSecond\": %.3f, "
                            + "\"featuresPerCpuSecond\": %.3f}", Engine.getDjlVersion(), engine.getEngineName(),
                    engine.getVersion(), System.getProperty("ai.djl.pytorch.num_threads", "\"default\""),
                    loadSeconds, loadCpu, batch * rounds / seconds, batch * rounds / cpuSeconds));
        }
    }

    /** CPU time of the whole process, the engine's native threads included. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
