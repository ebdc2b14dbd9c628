package dev.transferlab.stack.bench;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.stack.ApiClient;
import dev.transferlab.stack.LocalStackOptions;
import dev.transferlab.stack.Stack;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * What the api-service's job store costs as the history grows ({@code bench/job-store.sh}): for each number of
 * finished jobs, a fresh broker, store and api-service; the jobs' events written to the events topic as the
 * services write them ({@link FinishedJobs}); the api-service's first start (it reads the whole history: into memory,
 * or into its job store) timed until it lists every job as completed; then a restart, timed to ready, its heap after
 * a full GC and its resident set; then list and get latency as a viewer of one tenant.
 */
public final class JobStoreBenchmark {
    private static final List<String> TENANTS = List.of(DemoRealm.ACME, DemoRealm.GLOBEX, "initech", "umbrella",
            "hooli");
    private static final String JOBS = "/v1/training-jobs";
    private static final int PAGE = 50;
    private static final Duration HISTORY_TIMEOUT = Duration.ofMinutes(30);

    private final boolean auth;
    private final int requests;
    private final int epochs;

    private JobStoreBenchmark(boolean auth, int requests, int epochs) {
        this.auth = auth;
        this.requests = requests;
        this.epochs = epochs;
    }

    /** One history's figures. Times in seconds, memory in MiB, latencies in ms (p50, p99). */
    record Result(int jobs, long events, double historyMib, double writeSeconds, double emptyStartSeconds,
                  double firstStartSeconds,
                  double ingestedSeconds, double restartSeconds, double heapMib, double rssMib, double[] firstPage,
                  double[] deepPage, double[] cursorPage, double[] get, String loadBefore, String loadAfter) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        boolean auth = true;
        int requests = 1000;
        int epochs = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--no-auth" -> auth = false;
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                default -> counts.add(Integer.parseInt(args[i].replace(",", "").replace("_", "")));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1_000, 10_000, 100_000);
        }
        JobStoreBenchmark benchmark = new JobStoreBenchmark(auth, requests, epochs);
        List<Result> results = new ArrayList<>();
        for (int jobs : counts) {
            results.add(benchmark.measure(jobs));
        }
        System.out.println();
        System.out.println("| finished jobs (events) | history written | start without history | first start to ready;"
                + " to all jobs listed | restart to ready | heap after GC | RSS | list, first page p50 / p99 |"
                + " list, last page | list, last page by cursor | get | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %,d (%,d) | %.0f MiB in %.1f s | %.1f s | %.1f s; %.1f s | %.1f s |"
                            + " %.0f MiB | %.0f MiB | %s | %s | %s | %s | %s to %s |%n",
                    r.jobs(), r.events(), r.historyMib(), r.writeSeconds(), r.emptyStartSeconds(),
                    r.firstStartSeconds(), r.ingestedSeconds(), r.restartSeconds(), r.heapMib(), r.rssMib(),
                    millis(r.firstPage()), millis(r.deepPage()), millis(r.cursorPage()), millis(r.get()),
                    r.loadBefore(), r.loadAfter());
        }
    }

    private Result measure(int jobs) throws Exception {
        String loadBefore = loadAverage();
        Path data = Files.createTempDirectory("transferlab-job-store");
        System.out.printf(Locale.ROOT, "%n%,d finished jobs of %d epochs, %d tenants (load average %s)%n", jobs,
                epochs, TENANTS.size(), loadBefore);
        try (Stack stack = Stack.startWithoutWorker(LocalStackOptions.defaults(Stack.home()).withDataDir(data)
                .withPorts(0, 0, 0, 0).withAuth(auth, 0))) {
            // What a start costs without any history, beside which the others show what the history adds.
            stack.api().close();
            long started = System.nanoTime();
            stack.api().start(HISTORY_TIMEOUT);
            double emptyStart = seconds(started);
            System.out.printf(Locale.ROOT, "  no history: restart to ready in %.1f s%n", emptyStart);
            // The history is written with the api-service stopped, so that its first start finds all of it.
            stack.api().close();
            started = System.nanoTime();
            Written written = write(stack.infra().kafkaBootstrap(), jobs);
            double writeSeconds = seconds(started);
            System.out.printf(Locale.ROOT, "  written: %,d events, %.0f MiB, in %.1f s%n", written.events(),
                    written.bytes() / 1048576.0, writeSeconds);

            ApiClient viewer = auth ? stack.apiAs(DemoRealm.ANN) : stack.apiAs(DemoRealm.ANN).asTenant(DemoRealm.ACME);
            started = System.nanoTime();
            stack.api().start(HISTORY_TIMEOUT);
            double firstStart = seconds(started);
            awaitAllCompleted(viewer, written.ids().size());
            double ingested = seconds(started);
            System.out.printf(Locale.ROOT, "  first start: ready in %.1f s, every job listed as completed after"
                    + " %.1f s%n", firstStart, ingested);

            stack.api().close();
            started = System.nanoTime();
            stack.api().start(HISTORY_TIMEOUT);
            double restart = seconds(started);
            awaitAllCompleted(viewer, written.ids().size());
            long pid = stack.api().pid();
            double heap = JvmHeap.usedAfterFullGc(pid) / 1048576.0;
            double rss = ProcessMemory.of(pid).residentBytes() / 1048576.0;
            System.out.printf(Locale.ROOT, "  restart: ready in %.1f s; heap after GC %.0f MiB, RSS %.0f MiB%n",
                    restart, heap, rss);

            Latency latency = new Latency(viewer, requests);
            int total = written.ids().size();
            double[] firstPage = latency.measure("list, first page", i -> JOBS + "?limit=" + PAGE);
            double[] deepPage = latency.measure("list, last page (offset " + (total - PAGE) + ")",
                    i -> JOBS + "?limit=" + PAGE + "&offset=" + Math.max(0, total - PAGE));
            // Only where the API gives cursors: the page after the one before the last, by its 'next'.
            String cursor = viewer.get(JOBS + "?limit=" + PAGE + "&offset=" + Math.max(0, total - 2 * PAGE)).body()
                    .path("next").asText(null);
            double[] cursorPage = cursor == null ? null : latency.measure("list, last page by cursor",
                    i -> JOBS + "?limit=" + PAGE + "&after=" + cursor);
            Random random = new Random(1);
            double[] get = latency.measure("get", i -> JOBS + "/" + written.ids().get(random.nextInt(total)));
            return new Result(jobs, written.events(), written.bytes() / 1048576.0, writeSeconds, emptyStart,
                    firstStart, ingested, restart, heap, rss, firstPage, deepPage, cursorPage, get, loadBefore,
                    loadAverage());
        } finally {
            deleteTree(data);
        }
    }

    /** What was written: every event, and the ids of the measured tenant's ({@link DemoRealm#ACME}) jobs. */
    record Written(long events, long bytes, List<String> ids) {
    }

    /**
     * The jobs one after another, tenants in turn, each job's events keyed by its id as the services key them. The
     * last job is the measured tenant's, so that once it is listed as completed the whole history has been read.
     */
    private Written write(String bootstrap, int jobs) {
        Random random = new Random(jobs);
        List<String> ids = new ArrayList<>();
        long events = 0;
        long bytes = 0;
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (int i = 0; i < jobs; i++) {
                String tenant = TENANTS.get((jobs - 1 - i) % TENANTS.size());
                String jobId = "job-" + new UUID(random.nextLong(), random.nextLong());
                if (tenant.equals(DemoRealm.ACME)) {
                    ids.add(jobId);
                }
                for (TrainingEvent event : FinishedJobs.events(jobId, tenant, epochs, random)) {
                    String json = Messages.toJson(event);
                    events++;
                    bytes += json.length();
                    producer.send(new ProducerRecord<>(Topics.TRAINING_EVENTS, jobId, json), (metadata, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                    });
                }
                if (failed.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("could not write the history", failed.get());
        }
        return new Written(events, bytes, List.copyOf(ids));
    }

    private static void awaitAllCompleted(ApiClient viewer, int jobs) throws InterruptedException {
        long deadline = System.nanoTime() + HISTORY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            ApiClient.Answer answer = viewer.get(JOBS + "?state=completed&limit=1");
            if (answer.status() == 200 && answer.body().path("total").asInt() >= jobs) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the api-service did not list " + jobs + " completed jobs within "
                + HISTORY_TIMEOUT);
    }

    /** Sequential GETs by one client, after 200 to warm up: p50 and p99 of the whole exchange. */
    private record Latency(ApiClient viewer, int requests) {
        private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private static final int WARM_UP = 200;

        double[] measure(String what, IntFunction<String> path) throws IOException, InterruptedException {
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < WARM_UP + requests; i++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(viewer.baseUrl() + path.apply(i)));
                viewer.headers().forEach(request::header);
                long started = System.nanoTime();
                HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                double took = (System.nanoTime() - started) / 1e6;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(what + ": " + response.statusCode() + " "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
                if (i >= WARM_UP) {
                    millis.add(took);
                }
            }
            millis.sort(Comparator.naturalOrder());
            double[] p = {StackBenchmark.percentile(millis, 0.5), StackBenchmark.percentile(millis, 0.99)};
            System.out.printf(Locale.ROOT, "  %s: p50 %.1f ms, p99 %.1f ms (%d requests)%n", what, p[0], p[1],
                    requests);
            return p;
        }
    }

    private static String millis(double[] p50p99) {
        return p50p99 == null ? "–" : String.format(Locale.ROOT, "%.1f / %.1f ms", p50p99[0], p50p99[1]);
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return fields[0];
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
