package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.DatasetArchives;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.SampleImages;
import dev.transferlab.stack.Stack;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Hostile and normal traffic mixed, for a few minutes, against a fresh local stack: {@code bench/hostile.sh
 * [--minutes N]}. Normal clients of one tenant predict, list, read and upload while hostile clients of another send
 * every kind of request {@link HostileRequests} knows and put {@link HostileRecords} on the topics. Prints how many
 * normal requests were answered correctly and their p99 latency, how many hostile ones were answered as documented
 * (by kind), each service's crashes, restarts and liveness failures, and its peak resident memory.
 */
public final class HostileBenchmark {
    private static final String OWNER = "tenant-b";
    /** Lower than the default (200,000) so that the directory-entries archive costs seconds, not minutes, per send. */
    private static final int MAX_ENTRIES = 20_000;
    private static final int NORMAL_CLIENTS = 3;
    private static final int HOSTILE_CLIENTS = 2;
    private static final Duration RECORD_ROUNDS_EVERY = Duration.ofSeconds(20);

    private final ApiClient api;
    private final ApiClient owner;
    private final Stack stack;
    private final Tally normal = new Tally();
    private final Tally jobs = new Tally();
    private final Tally hostile = new Tally();
    private final Tally records = new Tally();
    private final List<HostileRecord> sentRecords = new ArrayList<>();

    private HostileBenchmark(Stack stack) {
        this.stack = stack;
        this.api = stack.apiAs(DemoRealm.ROOT).withTimeout(Duration.ofSeconds(60));
        this.owner = api.asTenant(OWNER);
    }

    public static void main(String[] args) throws Exception {
        double minutes = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--minutes") && i + 1 < args.length) {
                minutes = Double.parseDouble(args[++i]);
            } else {
                System.err.println("usage: bench/hostile.sh [--minutes N]   (default 3)");
                System.exit(2);
            }
        }
        System.out.println("starting a local stack (Kafka, S3, api-service, trainer-worker) ...");
        try (Stack stack = Stack.start(LocalStackOptions.defaults(Stack.home())
                .withDataDir(Files.createTempDirectory("transferlab-hostile")).withPorts(0, 0, 0, 0).withAuth(true, 0)
                .withApiProperty("transferlab.datasets.max-entries", String.valueOf(MAX_ENTRIES)))) {
            new HostileBenchmark(stack).run(Duration.ofMillis((long) (minutes * 60_000)));
        }
    }

    private void run(Duration length) throws Exception {
        String dataset = upload(owner, images(6, 0)).get("id").asText();
        String model = trainedJob(dataset, 3);
        System.out.println("model " + model + " of " + OWNER + " trained; generating the hostile inputs ...");
        List<HostileRequest> asAnyone = new ArrayList<>(HostileRequests.archives(MAX_ENTRIES));
        asAnyone.add(HostileRequests.longNameUpload());
        asAnyone.addAll(HostileRequests.json());
        asAnyone.addAll(HostileRequests.ids(OWNER, model));
        List<HostileRequest> asOwner = new ArrayList<>(HostileRequests.images(model));
        asOwner.add(HostileRequests.negativeLengthPng(model));
        String datasetLocation = owner.get("/v1/datasets/" + dataset).body().get("location").asText();

        System.out.printf(Locale.ROOT, "running %.1f minutes of mixed traffic ...%n", length.toSeconds() / 60.0);
        long until = System.nanoTime() + length.toNanos();
        List<ServiceWatch> watches = List.of(new ServiceWatch(stack.api()), new ServiceWatch(stack.worker()));
        ExecutorService pool = Executors.newCachedThreadPool();
        for (int i = 0; i < NORMAL_CLIENTS; i++) {
            int first = i;
            pool.submit(() -> normalTraffic(model, first, until));
        }
        for (int i = 0; i < HOSTILE_CLIENTS; i++) {
            int first = i;
            pool.submit(() -> hostileTraffic(asAnyone, asOwner, first, until));
        }
        pool.submit(() -> jobTraffic(dataset, until));
        pool.submit(() -> recordTraffic(datasetLocation, model, until));
        pool.submit(() -> ServiceWatch.watchAll(watches, until));
        pool.shutdown();
        if (!pool.awaitTermination(length.toSeconds() + 600, TimeUnit.SECONDS)) {
            System.out.println("traffic did not stop 10 minutes after the end; reporting what was counted");
        }
        countDeadLetters();
        report(length, watches);
    }

    private void normalTraffic(String model, int first, long until) {
        List<String> classes = SampleImages.CLASSES;
        for (int n = first; System.nanoTime() < until; n++) {
            int seed = 100_000 + n;
            switch (n % 4) {
                case 0 -> timed(normal, "predict", () -> {
                    ApiClient.Answer a = owner.postBytes("/v1/models/" + model + "/predictions",
                            SampleImages.png(classes.get(seed % 2), seed), "image/png");
                    return a.status() == 200 && classes.contains(a.body().path("label").asText()) ? null
                            : "answered " + a.status() + ": " + a.body();
                });
                case 1 -> timed(normal, "list jobs", () -> expect(owner.get("/v1/training-jobs"), 200));
                case 2 -> timed(normal, "read the model", () -> expect(owner.get("/v1/models/" + model), 200));
                default -> timed(normal, "upload and delete a dataset", () -> {
                    ApiClient.Answer created = api.postBytes("/v1/datasets", DatasetArchives.tarGz(images(1, seed)),
                            "application/gzip");
                    if (created.status() != 201) {
                        return "upload answered " + created.status() + ": " + created.body();
                    }
                    return expect(api.delete("/v1/datasets/" + created.body().get("id").asText()), 204);
                });
            }
        }
    }

    private void hostileTraffic(List<HostileRequest> asAnyone, List<HostileRequest> asOwner, int first, long until) {
        int size = asAnyone.size() + asOwner.size();
        for (int n = first * (size / 2); System.nanoTime() < until; n++) {
            int i = n % size;
            HostileRequest request = i < asAnyone.size() ? asAnyone.get(i) : asOwner.get(i - asAnyone.size());
            ApiClient client = i < asAnyone.size() ? api : owner;
            timed(hostile, request.kind(), () -> {
                ApiClient.Answer answer = request.sendTo(client);
                if (answer.status() == 202 || answer.status() == 201) {
                    // Wrongly accepted: undone, so that it costs the rest of the run nothing.
                    String id = answer.body().path("id").asText();
                    api.delete((answer.status() == 202 ? "/v1/training-jobs/" : "/v1/datasets/") + id);
                }
                return request.mismatch(answer);
            });
        }
    }

    /** Tiny jobs back to back on the cached features: training goes on through all of it. */
    private void jobTraffic(String dataset, long until) {
        while (System.nanoTime() < until) {
            timed(jobs, "a 2-epoch job completes", () -> {
                try {
                    trainedJob(dataset, 2);
                    return null;
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
        }
    }

    private void recordTraffic(String datasetLocation, String model, long until) {
        for (long next = System.nanoTime(); System.nanoTime() < until; next += RECORD_ROUNDS_EVERY.toNanos()) {
            List<HostileRecord> round = new ArrayList<>(HostileRecords.trainingRequests(datasetLocation, OWNER));
            round.addAll(HostileRecords.inferenceRequests(OWNER, model, OWNER));
            round.addAll(HostileRecords.events());
            HostileRecords.send(stack.infra().kafkaBootstrap(), round);
            synchronized (sentRecords) {
                sentRecords.addAll(round);
            }
            sleepUntil(Math.min(until, next + RECORD_ROUNDS_EVERY.toNanos()));
        }
    }

    private void countDeadLetters() {
        Map<String, String> reasons = HostileRecords.deadLetterReasons(stack.infra().kafkaBootstrap(),
                sentRecords.stream().map(HostileRecord::key).toList(), Duration.ofSeconds(60));
        for (HostileRecord r : sentRecords) {
            String reason = reasons.get(r.key());
            // Whether the projection dead-letters an event is its choice; a reason it gives must be usable.
            boolean optional = r.topic().equals(Topics.TRAINING_EVENTS) && reason == null;
            records.add(r.toString(), optional ? null : r.mismatch(reason), -1);
        }
    }

    private void report(Duration length, List<ServiceWatch> watches) {
        System.out.printf(Locale.ROOT, "%nhostile traffic, %.1f minutes, %d normal and %d hostile HTTP clients, one job"
                        + " after another, a round of hostile records every %d s%n", length.toSeconds() / 60.0,
                NORMAL_CLIENTS, HOSTILE_CLIENTS, RECORD_ROUNDS_EVERY.toSeconds());
        System.out.printf(Locale.ROOT, "normal requests answered correctly: %d of %d; p50 %.0f ms, p99 %.0f ms%n",
                normal.expected(), normal.total(), normal.percentile(0.5), normal.percentile(0.99));
        normal.lines().forEach(l -> System.out.println("  " + l));
        System.out.printf(Locale.ROOT, "training jobs completed: %d of %d%n", jobs.expected(), jobs.total());
        jobs.lines().stream().filter(l -> l.contains("mismatch")).forEach(l -> System.out.println("  " + l));
        System.out.printf(Locale.ROOT, "hostile requests answered as documented: %d of %d (%d not)%n",
                hostile.expected(), hostile.total(), hostile.total() - hostile.expected());
        hostile.lines().forEach(l -> System.out.println("  " + l));
        System.out.printf(Locale.ROOT, "hostile records dead-lettered as documented: %d of %d (%d not)%n",
                records.expected(), records.total(), records.total() - records.expected());
        records.lines().forEach(l -> System.out.println("  " + l));
        System.out.println("services:");
        watches.forEach(w -> System.out.println("  " + w.report()));
    }

    private static void timed(Tally tally, String kind, Supplier<String> call) {
        long start = System.nanoTime();
        String mismatch;
        try {
            mismatch = call.get();
        } catch (UncheckedIOException | IllegalStateException e) {
            mismatch = "no answer: " + e.getMessage();
        }
        tally.add(kind, mismatch, (System.nanoTime() - start) / 1e6);
    }

    private static String expect(ApiClient.Answer answer, int status) {
        return answer.status() == status ? null : "answered " + answer.status() + ": " + answer.body();
    }

    /** Submits a job on the dataset and follows it to its end; its id when it completed. */
    private String trainedJob(String dataset, int epochs) {
        ApiClient.Answer submitted = owner.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": %d, "batchSize": 4, "hiddenUnits": 16, "validationFraction": 0.25,
                 "backbone": %s}""".formatted(dataset, epochs, HostileRequests.TINY_DENSENET));
        if (submitted.status() != 202) {
            throw new IllegalStateException("the job was refused: " + submitted.body());
        }
        String id = submitted.body().get("id").asText();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            String state = owner.get("/v1/training-jobs/" + id).body().path("state").asText();
            if (state.equals("completed")) {
                return id;
            }
            if (Set.of("failed", "cancelled").contains(state)) {
                throw new IllegalStateException(id + " ended " + state);
            }
            sleepUntil(System.nanoTime() + 250_000_000L);
        }
        throw new IllegalStateException(id + " did not end within 3 minutes");
    }

    private static JsonNode upload(ApiClient client, Map<String, byte[]> files) {
        ApiClient.Answer created = client.postBytes("/v1/datasets", DatasetArchives.tarGz(files), "application/gzip");
        if (created.status() != 201) {
            throw new IllegalStateException("the dataset was refused: " + created.body());
        }
        return created.body();
    }

    private static Map<String, byte[]> images(int perClass, int firstSeed) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < perClass; i++) {
                files.put("train/" + label + "/" + i + ".png", SampleImages.png(label, firstSeed + i));
            }
        }
        return files;
    }

    private static void sleepUntil(long nanos) {
        long millis = (nanos - System.nanoTime()) / 1_000_000;
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
