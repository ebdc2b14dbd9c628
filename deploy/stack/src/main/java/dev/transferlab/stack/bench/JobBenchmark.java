package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.Stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A whole training job on this platform against the tutorial's recipe ({@code seed_pipeline.py}, PyTorch), on the
 * same ImageFolder data with the same epochs and batch size, on CPU; and a second job on the same dataset (other
 * hyperparameters), which the feature cache serves. Prints wall-clock times and their ratios, and each job's phases
 * ({@link JobPhases}).
 * Run with {@code bench/jobs.sh --data DIR} (DIR holds train/ and test/).
 */
public final class JobBenchmark {
    private static final String USAGE = """
            usage: bench/jobs.sh --data DIR [--epochs N] [--batch-size N] [--python PATH] [--reference PATH]
                                 [--no-reference]
              DIR holds train/<class>/… and test/<class>/… (e.g. from dev.transferlab.stack.FashionMnist)
            """;

    private JobBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        int epochs = 10;
        int batchSize = 400;
        String python = "/usr/bin/python3";
        Path reference = Stack.home().resolve("../shared/reference/seed_pipeline.py").normalize();
        boolean runReference = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                case "--reference" -> reference = Path.of(args[++i]);
                case "--no-reference" -> runReference = false;
                default -> {
                    System.err.print(USAGE);
                    System.exit(2);
                }
            }
        }
        if (data == null) {
            System.err.print(USAGE);
            System.exit(2);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("data %s, %d epochs, batch %d, CPU (%d cores), DenseNet121 with random weights%n", data,
                epochs, batchSize, cores);
        double[] ours = platformJobs(data, epochs, batchSize);
        System.out.printf(Locale.ROOT, "second job on the same dataset / first job: %.3f%n", ours[1] / ours[0]);
        if (runReference) {
            double tutorial = tutorial(python, reference, data, epochs, batchSize, cores);
            System.out.printf(Locale.ROOT, "tutorial recipe (PyTorch): %.1f s; platform job: %.1f s; tutorial / "
                    + "platform: %.1fx%n", tutorial, ours[0], tutorial / ours[0]);
        }
    }

    /** Wall-clock seconds of the first and the second job, each from submission to its completed event. */
    private static double[] platformJobs(Path data, int epochs, int batchSize) throws IOException {
        Path work = Files.createTempDirectory("job-bench-");
        LocalStackOptions options = LocalStackOptions.defaults(Stack.home()).withDataDir(work)
                .withPorts(0, 0, 0, 0).withAuth(true, 0).withWorkerProperty("transferlab.device", "cpu");
        try (Stack stack = Stack.start(options)) {
            ApiClient api = stack.apiAs(DemoRealm.ROOT);
            Path archive = work.resolve("dataset.tar.gz");
            DatasetArchives.tarGz(data, archive);
            long uploadStart = System.nanoTime();
            ApiClient.Answer uploaded = api.postFile("/v1/datasets?name=bench", archive, "application/gzip");
            if (uploaded.status() != 201) {
                throw new IllegalStateException("upload refused: " + uploaded.body());
            }
            String id = uploaded.body().get("id").asText();
            System.out.printf(Locale.ROOT, "uploaded %d images (%d KB archive) as %s in %.1f s%n",
                    uploaded.body().get("images").asInt(), Files.size(archive) / 1024, id, seconds(uploadStart));
            double first = job(api, id, epochs, batchSize, 1e-3, 500, "first job (extracts features)");
            double second = job(api, id, epochs, batchSize, 3e-3, 256, "second job (other hyperparameters)");
            return new double[] {first, second};
        }
    }

    private static double job(ApiClient api, String datasetId, int epochs, int batchSize, double lr, int hidden,
                              String what) {
        long start = System.nanoTime();
        Instant submittedAt = Instant.now();
        ApiClient.Answer submitted = api.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": %d, "batchSize": %d, "learningRate": %s, "hiddenUnits": %d,
                 "seed": 0, "backbone": {"name": "densenet121"}}""".formatted(datasetId, epochs, batchSize, lr,
                hidden));
        Instant answeredAt = Instant.now();
        if (submitted.status() != 202) {
            throw new IllegalStateException("job refused: " + submitted.body());
        }
        List<JobPhases.Received> received = new ArrayList<>();
        api.followEvents(submitted.body().get("id").asText(),
                event -> received.add(new JobPhases.Received(event, Instant.now())));
        double seconds = seconds(start);
        List<ApiClient.SseEvent> events = received.stream().map(JobPhases.Received::event).toList();
        ApiClient.SseEvent last = events.get(events.size() - 1);
        if (!last.name().equals("completed")) {
            throw new IllegalStateException(what + " ended " + last.name() + ": " + last.data());
        }
        String features = events.stream().filter(e -> e.name().equals("feature-cache-hit")).findFirst()
                .map(e -> "features from the cache")
                .orElseGet(() -> extraction(events));
        double epochSeconds = events.stream().filter(e -> e.name().equals("epoch-completed"))
                .mapToDouble(e -> e.data().at("/metrics/seconds").asDouble()).sum();
        System.out.printf(Locale.ROOT, "%s: %.1f s (%s; head training %.1f s over %d epochs)%n", what, seconds,
                features, epochSeconds, epochs);
        new JobPhases(submittedAt, answeredAt, received).lines().forEach(System.out::println);
        return seconds;
    }

    private static String extraction(List<ApiClient.SseEvent> events) {
        JsonNode done = events.stream().filter(e -> e.name().equals("extraction-progress"))
                .reduce((a, b) -> b).orElseThrow().data().get("extraction");
        return String.format(Locale.ROOT, "%d images through the backbone at %.1f images/s", done.get("done").asInt(),
                done.get("imagesPerSecond").asDouble());
    }

    private static double tutorial(String python, Path script, Path data, int epochs, int batchSize, int cores)
            throws IOException, InterruptedException {
        List<String> command = List.of(python, script.toString(), "--data", data.toString(), "--epochs",
                String.valueOf(epochs), "--batch-size", String.valueOf(batchSize), "--device", "cpu", "--threads",
                String.valueOf(cores));
        System.out.println("running " + String.join(" ", command));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the reference failed:\n" + output);
        }
        double seconds = seconds(start);
        output.lines().filter(l -> l.contains("\"summary\"")).forEach(l -> System.out.println("  " + l));
        return seconds;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
