package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.Stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

/**
 * A sweep on cached features against the same trials as separate training jobs and in PyTorch. The data comes from
 * {@code dev.transferlab.worker.bench.SweepFeatures}: its tiny images are uploaded, and its feature table is put at
 * the dataset's feature-cache key (learnt from a warm-up job on a 20-image dataset, whose own table lies under the
 * same tenant, backbone hash and preprocessing), so the sweep and every job read the features from the cache and the
 * backbone runs over no image of the benchmark's. Then: one sweep (successive halving); each of its trials as its own
 * training job with all the base's epochs, submitted at once and followed one by one, as a user without sweeps would
 * run them; and {@code bench/sweep_torch.py} with the epochs the sweep trained each trial. Run by bench/sweeps.sh.
 */
public final class SweepBenchmark {
    private static final String USAGE = """
            usage: SweepBenchmark --data DIR [--trials 100] [--epochs 10] [--jobs N] [--python PATH]
              DIR from dev.transferlab.worker.bench.SweepFeatures; --jobs: how many of the trials also run as
              separate jobs (default: all; 0 leaves them out)
            """;
    private static final String SPACE = """
            {"learningRate": {"min": 1e-4, "max": 1e-1, "log": true}, "hiddenUnits": {"values": [128, 256, 500, 1024]},
             "dropout": {"min": 0.0, "max": 0.5}}""";

    private SweepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        int trials = 100;
        int epochs = 10;
        Integer jobs = null;
        String python = "/usr/bin/python3";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
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
        System.out.printf(Locale.ROOT, "%d trials x %d epochs, successive halving (minEpochs 1, reductionFactor 3), "
                + "batch 400, space %s; CPU, %d cores%n", trials, epochs, SPACE.replaceAll("\\s+", " "), cores);
        Path work = Files.createTempDirectory("sweep-bench-");
        LocalStackOptions options = LocalStackOptions.defaults(Stack.home()).withDataDir(work)
                .withPorts(0, 0, 0, 0).withAuth(true, 0).withWorkerProperty("transferlab.device", "cpu")
                // The separate jobs are submitted at once, as a user would queue them.
                .withApiProperty("transferlab.quotas.active-jobs", String.valueOf(trials + 1));
        try (Stack stack = Stack.start(options); ObjectStore store = stack.objectStore()) {
            ApiClient api = stack.apiAs(DemoRealm.ROOT);
            String datasetId = seededDataset(api, store, data, work);
            System.out.println("load average before the sweep: " + loadAverage());
            Sweep sweep = sweep(api, datasetId, trials, epochs);
            System.out.println("load average after the sweep: " + loadAverage());
            int separate = jobs == null ? trials : Math.min(jobs, trials);
            if (separate > 0) {
                double seconds = separateJobs(api, datasetId, sweep.trials().subList(0, separate), epochs);
                System.out.printf(Locale.ROOT, "separate jobs: %d jobs x %d epochs: %.1f s; sweep faster by %.1fx"
                        + "%s%n", separate, epochs, seconds, seconds * trials / separate / sweep.seconds(),
                        separate == trials ? "" : " (scaled to " + trials + " jobs)");
                System.out.println("load average after the separate jobs: " + loadAverage());
            }
            double torch = pytorch(python, data, work, sweep, cores);
            System.out.printf(Locale.ROOT, "sweep / PyTorch wall time: %.2f%n", sweep.seconds() / torch);
            System.out.println("load average after PyTorch: " + loadAverage());
        }
    }

    /** What the sweep ran: its wall time, its trials (hyperparameters, epochs trained) and its data's split sizes. */
    private record Sweep(double seconds, List<JsonNode> trials, int trainImages, int validationImages) {
    }

    /** The benchmark's dataset, uploaded, with its features put in the feature cache; its id. */
    private static String seededDataset(ApiClient api, ObjectStore store, Path data, Path work) throws IOException {
        String warmup = upload(api, data.resolve("warmup"), work, "sweep-bench-warmup");
        following(api, "/v1/training-jobs", """
                {"datasetId": "%s", "epochs": 1, "backbone": {"name": "densenet121"}}""".formatted(warmup));
        List<String> keys = store.list(store.inDefaultBucket("features/")).stream().map(o -> o.key()).toList();
        if (keys.size() != 1) {
            throw new IllegalStateException("expected the warm-up job's feature table alone, found " + keys);
        }
        // features/<tenant>/<dataset content hash>/<backbone weights SHA-256>/<preprocessing>.features
        String[] parts = keys.get(0).split("/");
        long start = System.nanoTime();
        String datasetId = upload(api, data.resolve("dataset"), work, "sweep-bench");
        String tenant = parts[1];
        DatasetManifest manifest = Messages.mapper().readValue(store.get(store.inDefaultBucket(
                StorageLayout.datasetManifest(tenant, datasetId))).orElseThrow(), DatasetManifest.class);
        String key = StorageLayout.featureCache(tenant, manifest.contentHash(), parts[3],
                parts[4].substring(0, parts[4].length() - ".features".length()));
        store.put(store.inDefaultBucket(key), data.resolve("features.table"), "application/octet-stream");
        System.out.printf(Locale.ROOT, "uploaded %d images as %s and put their generated features at %s in %.1f s%n",
                manifest.images(), datasetId, key, (System.nanoTime() - start) / 1e9);
        return datasetId;
    }

    private static String upload(ApiClient api, Path dir, Path work, String name) {
        Path archive = work.resolve(name + ".tar.gz");
        DatasetArchives.tarGz(dir, archive);
        // Each of its files is checked and stored one by one: 10,000 take minutes on a busy machine.
        ApiClient.Answer uploaded = api.withTimeout(Duration.ofMinutes(30)).postFile("/v1/datasets?name=" + name,
                archive, "application/gzip");
        if (uploaded.status() != 201) {
            throw new IllegalStateException("upload refused: " + uploaded.body());
        }
        return uploaded.body().get("id").asText();
    }

    private static Sweep sweep(ApiClient api, String datasetId, int trials, int epochs) {
        long start = System.nanoTime();
        String id = submit(api, "/v1/sweeps", """
                {"base": {"datasetId": "%s", "epochs": %d, "batchSize": 400, "seed": 0,
                          "backbone": {"name": "densenet121"}},
                 "space": %s, "strategy": {"type": "successive-halving", "seed": 1, "minEpochs": 1,
                 "reductionFactor": 3}, "maxTrials": %d, "metric": "validation-accuracy"}"""
                .formatted(datasetId, epochs, SPACE, trials));
        List<ApiClient.SseEvent> events = follow(api, "/v1/sweeps", id);
        double seconds = (System.nanoTime() - start) / 1e9;
        requireCacheHit(events, id);
        JsonNode view = api.get("/v1/sweeps/" + id).body();
        List<JsonNode> ran = StreamSupport.stream(view.get("trials").spliterator(), false)
                .sorted(Comparator.comparingInt(t -> t.get("trial").asInt())).toList();
        int trained = ran.stream().mapToInt(t -> t.get("epochsRun").asInt()).sum();
        JsonNode best = view.get("best");
        JsonNode model = api.get("/v1/models/" + view.get("modelId").asText()).body();
        System.out.printf(Locale.ROOT, "sweep: %d trials, %d epochs trained (of %d without pruning): %.1f s, "
                        + "%.2f trials/s; best validation accuracy %.4f (trial %d, %s, %d epochs)%n",
                ran.size(), trained, ran.size() * epochs, seconds, ran.size() / seconds,
                best.at("/best/validationAccuracy").asDouble(), best.get("trial").asInt(),
                searched(best.get("hyperparameters")), best.get("epochsRun").asInt());
        return new Sweep(seconds, ran, model.get("trainImages").asInt(), model.get("validationImages").asInt());
    }

    /** Every trial as its own training job, with the base's epochs; wall time from the first submission to the end. */
    private static double separateJobs(ApiClient api, String datasetId, List<JsonNode> trials, int epochs) {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (JsonNode trial : trials) {
            ObjectNode body = Messages.mapper().createObjectNode().put("datasetId", datasetId);
            body.putObject("backbone").put("name", "densenet121");
            trial.get("hyperparameters").properties().forEach(f -> {
                if (!f.getValue().isNull()) {
                    body.set(f.getKey(), f.getValue());
                }
            });
            body.put("epochs", epochs);
            ids.add(submit(api, "/v1/training-jobs", body.toString()));
        }
        for (String id : ids) {
            requireCacheHit(follow(api, "/v1/training-jobs", id), id);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double pytorch(String python, Path data, Path work, Sweep sweep, int cores)
            throws IOException, InterruptedException {
        ArrayNode trials = Messages.mapper().createArrayNode();
        for (JsonNode trial : sweep.trials()) {
            JsonNode hp = trial.get("hyperparameters");
            trials.addObject().put("learningRate", hp.get("learningRate").asDouble())
                    .put("hiddenUnits", hp.get("hiddenUnits").asInt()).put("batchSize", hp.get("batchSize").asInt())
                    .put("dropout", hp.path("dropout").asDouble(0)).put("epochs", trial.get("epochsRun").asInt());
        }
        Path file = work.resolve("trials.json");
        Files.writeString(file, trials.toString());
        List<String> command = List.of(python, Stack.home().resolve("bench/sweep_torch.py").toString(), "--data",
                data.toString(), "--trials", file.toString(), "--train", String.valueOf(sweep.trainImages()),
                "--validation", String.valueOf(sweep.validationImages()), "--threads", String.valueOf(cores));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("sweep_torch.py failed:\n" + output);
        }
        JsonNode result = ApiClient.parse(output.lines().reduce((a, b) -> b).orElseThrow());
        System.out.printf(Locale.ROOT, "PyTorch %s, %d threads, the same %d trials and %d epochs on %d + %d rows: "
                        + "%.1f s; best validation accuracy %.4f%n", result.get("torch").asText(),
                result.get("threads").asInt(), result.get("trials").asInt(), result.get("epochs").asInt(),
                sweep.trainImages(), sweep.validationImages(), result.get("seconds").asDouble(),
                result.get("bestValidationAccuracy").asDouble());
        return result.get("seconds").asDouble();
    }

    private static String submit(ApiClient api, String path, String body) {
        ApiClient.Answer submitted = api.postJson(path, body);
        if (submitted.status() != 202) {
            throw new IllegalStateException(path + " refused: " + submitted.body());
        }
        return submitted.body().get("id").asText();
    }

    private static void following(ApiClient api, String path, String body) {
        follow(api, path, submit(api, path, body));
    }

    /** The job's events to its end, which must be completed. */
    private static List<ApiClient.SseEvent> follow(ApiClient api, String path, String id) {
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api.followEventsAt(path + "/" + id + "/events", null, events::add);
        ApiClient.SseEvent last = events.get(events.size() - 1);
        if (!last.name().equals("completed")) {
            throw new IllegalStateException(id + " ended " + last.name() + ": " + last.data());
        }
        return events;
    }

    private static void requireCacheHit(List<ApiClient.SseEvent> events, String id) {
        if (events.stream().noneMatch(e -> e.name().equals("feature-cache-hit"))) {
            throw new IllegalStateException(id + " did not read its features from the cache");
        }
    }

    private static String searched(JsonNode hp) {
        return String.format(Locale.ROOT, "learningRate %.2g, hiddenUnits %d, dropout %.2f",
                hp.get("learningRate").asDouble(), hp.get("hiddenUnits").asInt(), hp.path("dropout").asDouble(0));
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
