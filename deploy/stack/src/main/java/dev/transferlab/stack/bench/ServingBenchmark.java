package dev.transferlab.stack.bench;

import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.SampleImages;
import dev.transferlab.stack.Stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serving side of bench/serving.sh: predictions through the whole platform (HTTP, Kafka, a worker, back) with
 * DenseNet121 on a fresh local stack, for each number of concurrent clients, with the worker's dynamic batching as
 * configured and then with it off (a batch of one). Each client posts the same PNG in a loop for the measured time,
 * after a warm-up; figures are printed, not asserted.
 * Usage: ServingBenchmark CLIENTS(1,8,32,128) SECONDS IMAGE_OUT
 */
public final class ServingBenchmark {
    private static final Pattern COUNTER = Pattern.compile("^(transferlab_inference_(?:forward_passes|batched_images)"
            + "_total)\\{?[^ ]*\\s+([0-9.eE+-]+)$", Pattern.MULTILINE);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int[] clients = Arrays.stream((args.length > 0 ? args[0] : "1,8,32,128").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Duration measured = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
        byte[] image = SampleImages.png(SampleImages.CLASSES.get(0), 10_000);
        if (args.length > 2) {
            Files.write(Path.of(args[2]), image);
        }
        Map<String, Map<String, String>> modes = new LinkedHashMap<>();
        modes.put("batching on (worker defaults)", Map.of());
        modes.put("batching off (max-batch-size=1)", Map.of("transferlab.inference.batching.max-batch-size", "1"));
        for (Map.Entry<String, Map<String, String>> mode : modes.entrySet()) {
            LocalStackOptions options = LocalStackOptions.defaults(Stack.home())
                    .withDataDir(Files.createTempDirectory("transferlab-serving")).withPorts(0, 0, 0, 0)
                    .withAuth(false, 0).withApiProperty("transferlab.quotas.predictions-per-second", "1000000");
            for (Map.Entry<String, String> property : mode.getValue().entrySet()) {
                options = options.withWorkerProperty(property.getKey(), property.getValue());
            }
            try (Stack stack = Stack.start(options)) {
                ApiClient api = new ApiClient(stack.apiUrl()).withTimeout(Duration.ofSeconds(60));
                String path = "/v1/models/" + trainModel(api) + "/predictions";
                for (int i = 0; i < 10; i++) {
                    predict(api, path, image);
                }
                System.out.println("Predictions through the platform, DenseNet121, " + mode.getKey() + ":");
                for (int c : clients) {
                    double[] before = batchCounters(stack);
                    Load load = run(api, path, image, c, measured);
                    double[] after = batchCounters(stack);
                    double meanBatch = (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
                    System.out.printf(Locale.ROOT, "  %4d clients: %6.2f predictions/s  p50 %7.1f ms  p99 %7.1f ms"
                                    + "  mean batch %5.2f  errors %d%s%n", c, load.perSecond(), load.p50(),
                            load.p99(), meanBatch, load.errors(), load.statuses());
                }
            }
        }
    }

    /** Trains a DenseNet121 head for one epoch on a small generated dataset: serving does not depend on its skill. */
    private static String trainModel(ApiClient api) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < 8; i++) {
                files.put("serving/" + label + "/" + i + ".png", SampleImages.png(label, i));
            }
        }
        ApiClient.Answer dataset = api.postBytes("/v1/datasets?name=serving", DatasetArchives.tarGz(files),
                "application/gzip");
        require(dataset.status() == 201, "the dataset was refused: " + dataset.body());
        ApiClient.Answer job = api.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": 1, "batchSize": 8, "backbone": {"name": "densenet121"}}
                """.formatted(dataset.body().get("id").asText()));
        require(job.status() == 202, "the job was refused: " + job.body());
        String[] model = new String[1];
        api.followEvents(job.body().get("id").asText(), event -> {
            if (event.name().equals("completed")) {
                model[0] = event.data().get("modelId").asText();
            }
        });
        require(model[0] != null, "the training job did not complete");
        return model[0];
    }

    private record Load(double perSecond, double p50, double p99, int errors, String statuses) {
    }

    private static Load run(ApiClient api, String path, byte[] image, int clients, Duration measured)
            throws InterruptedException {
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> failures = new ConcurrentHashMap<>();
        long end = System.nanoTime() + measured.toNanos();
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            Thread client = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        int status = predict(api, path, image);
                        if (status == 200) {
                            millis.add((System.nanoTime() - start) / 1e6);
                        } else {
                            failures.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
            client.setDaemon(true);
            client.start();
        }
        long started = System.nanoTime();
        done.await();
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        int errors = failures.values().stream().mapToInt(AtomicInteger::get).sum();
        return new Load(sorted.size() / seconds, StackBenchmark.percentile(sorted, 0.50),
                StackBenchmark.percentile(sorted, 0.99), errors, errors == 0 ? "" : " " + failures);
    }

    private static int predict(ApiClient api, String path, byte[] image) {
        try {
            return api.postBytes(path, image, "image/png").status();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The worker's forward passes and the images in them, from its Prometheus endpoint. */
    private static double[] batchCounters(Stack stack) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(stack.workerUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double[] counters = new double[2];
        Matcher m = COUNTER.matcher(text);
        while (m.find()) {
            counters[m.group(1).contains("forward") ? 0 : 1] = Double.parseDouble(m.group(2));
        }
        return counters;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
