package dev.transferlab.worker.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.Cosine;
import dev.transferlab.worker.ml.Devices;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java side of bench/gpu-check.sh: DenseNet121's features per second at each batch size in fp32 and in a lower
 * precision, on the worker's own forward path, and how closely the lower precision's features follow fp32's (cosine
 * similarity per image, the minimum over the first batch). Exits 1 when that minimum is below --min-cosine.
 */
public final class GpuCheck {
    private static final String USAGE = """
            usage: GpuCheck [--device auto|cpu|cuda[:N]] [--precision fp16] [--batches 64,128,256] [--rounds 3]
                            [--weights FILE] [--min-cosine 0.9999]""";

    private GpuCheck() {
    }

    public static void main(String[] args) {
        Map<String, String> options = options(args);
        Device device;
        DataType precision;
        try {
            device = Devices.select(options.getOrDefault("--device", "auto"));
            precision = Devices.precision(options.getOrDefault("--precision", "fp16"));
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int[] batches = Arrays.stream(options.getOrDefault("--batches", "64,128,256").split(","))
                .mapToInt(b -> Integer.parseInt(b.trim())).toArray();
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
        double minCosine = Double.parseDouble(options.getOrDefault("--min-cosine", "0.9999"));
        Path weights = options.containsKey("--weights") ? Path.of(options.get("--weights")) : null;

        Engine engine = Engine.getInstance();
        System.out.printf(Locale.ROOT, "DJL %s, %s %s, device %s%s, DenseNet121 (%s), %d timed batches each%n",
                Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(), device, memory(device),
                weights == null ? "random weights, seed 0" : weights, rounds);
        List<float[]> images = DenseNet121Benchmark.randomImages(Arrays.stream(batches).max().orElseThrow());
        List<float[]> parityImages = images.subList(0, batches[0]);
        Map<DataType, double[]> rates = new LinkedHashMap<>();
        Map<DataType, float[][]> parity = new LinkedHashMap<>();
        for (DataType type : List.of(DataType.FLOAT32, precision)) {
            try (Backbone backbone = load(device, type, weights)) {
                parity.put(type, backbone.features(parityImages));
                double[] perBatch = new double[batches.length];
                for (int i = 0; i < batches.length; i++) {
                    perBatch[i] = featuresPerSecond(backbone, images.subList(0, batches[i]), rounds);
                }
                rates.put(type, perBatch);
            }
        }

        System.out.printf(Locale.ROOT, "%6s  %14s  %14s  %8s%n", "batch", DataType.FLOAT32 + " feat/s",
                precision + " feat/s", "speed-up");
        for (int i = 0; i < batches.length; i++) {
            double full = rates.get(DataType.FLOAT32)[i];
            double low = rates.get(precision)[i];
            System.out.printf(Locale.ROOT, "%6d  %14.1f  %14.1f  %8.2f%n", batches[i], full, low, low / full);
        }
        double worst = 1;
        for (int i = 0; i < parityImages.size(); i++) {
            worst = Math.min(worst, Cosine.similarity(parity.get(DataType.FLOAT32)[i], parity.get(precision)[i]));
        }
        boolean ok = worst >= minCosine;
        System.out.printf(Locale.ROOT, "parity %s vs fp32 over %d images: min cosine %.7f (1 - cosine %.3g), needs "
                + ">= %s: %s%n", precision, parityImages.size(), worst, 1 - worst, minCosine, ok ? "PASS" : "FAIL");
        System.exit(ok ? 0 : 1);
    }

    private static Backbone load(Device device, DataType precision, Path weights) {
        var criteria = BackboneCriteria.denseNet(BackboneSpec.densenet121(), device);
        return BackboneCriteria.load((weights == null ? criteria.optArgument(BackboneCriteria.RANDOM_SEED, 0L)
                : criteria.optArgument(BackboneCriteria.WEIGHTS, weights)).build(), precision);
    }

    /** After one warm-up batch (the first of a shape is the engine's slowest), the median of {@code rounds}. */
    private static double featuresPerSecond(Backbone backbone, List<float[]> batch, int rounds) {
        backbone.features(batch);
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            // features() copies the result to the heap, so the time includes the device finishing its work.
            backbone.features(batch);
            rates[r] = batch.size() / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rounds / 2];
    }

    private static String memory(Device device) {
        if (!device.isGpu()) {
            return "";
        }
        MemoryUsage usage = CudaUtils.getGpuMemory(device);
        return String.format(Locale.ROOT, " (%s, %.1f GiB)", CudaUtils.getComputeCapability(device.getDeviceId()),
                usage.getMax() / (double) (1L << 30));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length || !USAGE.contains(args[i] + " ")) {
                System.err.println(USAGE);
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }
}
