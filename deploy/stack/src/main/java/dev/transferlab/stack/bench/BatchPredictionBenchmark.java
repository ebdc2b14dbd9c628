package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.SampleImages;
import dev.transferlab.stack.Stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A batch prediction job over N generated images on the local stack (CPU, DenseNet121 with random weights), cold and
 * then again over the same dataset, whose features the first job cached. Prints wall time (submission to completed
 * event) and images per second of both. Run with {@code bench/batch-predictions.sh [--images N]}.
 */
public final class BatchPredictionBenchmark {
    private static final String USAGE =
            "usage: bench/batch-predictions.sh [--images N] [--backbone densenet121|tiny]\n";
    private static final String TINY = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";

    private BatchPredictionBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int images = 1000;
        String backbone = "{\"name\": \"densenet121\"}";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--backbone" -> backbone = args[++i].equals("tiny") ? TINY : "{\"name\": \"" + args[i] + "\"}";
                default -> {
                    System.err.print(USAGE);
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("batch-bench-");
        LocalStackOptions options = LocalStackOptions.defaults(Stack.home()).withDataDir(work)
                .withPorts(0, 0, 0, 0).withAuth(false, 0).withWorkerProperty("transferlab.device", "cpu");
        System.out.printf("%d images, CPU (%d cores), backbone %s with random weights%n", images,
                Runtime.getRuntime().availableProcessors(), backbone.replaceAll("\\s+", " "));
        try (Stack stack = Stack.start(options)) {
            ApiClient api = stack.apiAs(DemoRealm.ROOT);
            String model = train(api, upload(api, "bench-model", 10, 0), backbone);
            int perClass = (images + 1) / SampleImages.CLASSES.size();
            String dataset = upload(api, "bench-batch", perClass, 1_000_000);
            images = perClass * SampleImages.CLASSES.size();
            double cold = job(api, model, dataset, images, "cold (features through the backbone)");
            double cached = job(api, model, dataset, images, "cached features");
            System.out.printf(Locale.ROOT, "cached / cold wall time: %.3f%n", cached / cold);
        }
    }

    /** An ImageFolder of {@code perClass} generated images of each class, uploaded; answers the dataset id. */
    private static String upload(ApiClient api, String name, int perClass, int firstSeed) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < perClass; i++) {
                files.put("train/" + label + "/" + i + ".png", SampleImages.png(label, firstSeed + i));
            }
        }
        ApiClient.Answer uploaded = api.postBytes("/v1/datasets?name=" + name, DatasetArchives.tarGz(files),
                "application/gzip");
        if (uploaded.status() != 201) {
            throw new IllegalStateException("upload refused: " + uploaded.body());
        }
        return uploaded.body().get("id").asText();
    }

    private static String train(ApiClient api, String datasetId, String backbone) {
        ApiClient.Answer submitted = api.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": 1, "batchSize": 8, "hiddenUnits": 32, "backbone": %s}"""
                .formatted(datasetId, backbone));
        if (submitted.status() != 202) {
            throw new IllegalStateException("training refused: " + submitted.body());
        }
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api.followEvents(submitted.body().get("id").asText(), events::add);
        JsonNode last = events.get(events.size() - 1).data();
        if (!last.get("type").asText().equals("completed")) {
            throw new IllegalStateException("the model's training ended " + last);
        }
        return last.get("modelId").asText();
    }

    private static double job(ApiClient api, String model, String datasetId, int images, String what) {
        long start = System.nanoTime();
        ApiClient.Answer submitted = api.postJson("/v1/models/" + model + "/batch-predictions",
                "{\"datasetId\": \"" + datasetId + "\"}");
        if (submitted.status() != 202) {
            throw new IllegalStateException("batch prediction refused: " + submitted.body());
        }
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api.followEventsAt(submitted.body().get("links").get("events").asText(), null, events::add);
        double seconds = (System.nanoTime() - start) / 1e9;
        ApiClient.SseEvent last = events.get(events.size() - 1);
        if (!last.name().equals("completed")) {
            throw new IllegalStateException(what + " ended " + last.name() + ": " + last.data());
        }
        boolean hit = events.stream().anyMatch(e -> e.name().equals("feature-cache-hit"));
        System.out.printf(Locale.ROOT, "%-40s %8.1f s %8.1f images/s%s%n", what + ":", seconds, images / seconds,
                hit ? " (feature-cache-hit)" : "");
        return seconds;
    }
}
