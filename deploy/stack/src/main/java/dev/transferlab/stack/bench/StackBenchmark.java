package dev.transferlab.stack.bench;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.SampleImages;
import dev.transferlab.stack.Stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Figures of the whole platform on this machine, printed, not asserted:
 * {@code java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.StackBenchmark}.
 * Starts a fresh local stack (free ports, a temporary data folder), measures, stops it.
 */
public final class StackBenchmark {
    static final String TINY = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";

    private StackBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int[] clientCounts = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 100, 1000};
        int tinyJobs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try (Stack stack = Stack.start(LocalStackOptions.defaults(Stack.home())
                .withDataDir(Files.createTempDirectory("transferlab-bench")).withPorts(0, 0, 0, 0).withAuth(true, 0))) {
            String dataset = putDataset(stack, "bench", 6);
            ApiClient api = stack.apiAs(DemoRealm.ROOT);
            System.out.println("SSE latency, worker's epoch event -> client (40 epochs per run):");
            for (int clients : clientCounts) {
                SseLatency.Result r = new SseLatency(api, stack.apiUrl()).measure(jobBody(dataset, 40), clients);
                System.out.printf(Locale.ROOT, "  %5d clients: p50 %6.1f ms  p99 %6.1f ms  (%d deliveries)%n",
                        clients, r.p50Millis(), r.p99Millis(), r.deliveries());
            }
            double perMinute = new TinyJobThroughput(api).jobsPerMinute(jobBody(dataset, 1), tinyJobs);
            System.out.printf(Locale.ROOT, "Tiny jobs through one worker: %.1f jobs/minute (%d jobs of 1 epoch on 12 "
                    + "images, tiny DenseNet)%n", perMinute, tinyJobs);
        }
    }

    static String jobBody(String dataset, int epochs) {
        return """
                {"dataset": "%s", "epochs": %d, "batchSize": 4, "hiddenUnits": 32, "validationFraction": 0.25,
                 "backbone": %s}""".formatted(dataset, epochs, TINY);
    }

    private static String putDataset(Stack stack, String name, int perClass) {
        String prefix = "datasets/default/" + name + "/";
        try (ObjectStore store = stack.objectStore()) {
            for (String label : SampleImages.CLASSES) {
                for (int i = 0; i < perClass; i++) {
                    store.put(store.inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"),
                            SampleImages.png(label, i), "image/png");
                }
            }
        }
        return "s3://" + Stack.BUCKET + "/" + prefix;
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            throw new UncheckedIOException(new IOException("no samples"));
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
