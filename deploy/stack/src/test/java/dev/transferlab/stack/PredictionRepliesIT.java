package dev.transferlab.stack;

import dev.transferlab.common.storage.ObjectStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three api-service replicas and two workers under a steady load of predictions; one replica and the worker that
 * answers are killed with kill -9 meanwhile, and the replica is started again. Every request is answered within its
 * timeout, errors come only from what was killed, and afterwards every replica answers (none is left with 504).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PredictionRepliesIT {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLIENT_TIMEOUT = REPLY_TIMEOUT.plusSeconds(3);
    /** The workers' inference session timeout (trainer-worker's application.properties), and a rebalance. */
    private static final Duration WORKER_FAILOVER = Duration.ofSeconds(15);
    private static final int CLIENTS = 6;
    private static final String TINY_DENSENET = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";

    @TempDir
    static Path data;
    static Stack stack;
    static final List<ServiceProcess> started = new ArrayList<>();
    static String modelId;

    record Outcome(int replica, long startNanos, long endNanos, int status, String contentType, String error) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        String kind() {
            return error != null ? "connection error" : String.valueOf(status);
        }
    }

    @BeforeAll
    static void startStack() {
        stack = Stack.start(LocalStackOptions.defaults(Stack.home()).withDataDir(data).withPorts(0, 0, 0, 0)
                .withAuth(false, 0)
                .withApiProperty("mp.messaging.outgoing.inference-requests.reply.timeout",
                        String.valueOf(REPLY_TIMEOUT.toMillis())));
        started.add(stack.startAnotherApi("api-service-2"));
        started.add(stack.startAnotherApi("api-service-3"));
        started.add(stack.startAnotherWorker("trainer-worker-2"));
    }

    @AfterAll
    static void stopStack() {
        started.forEach(ServiceProcess::close);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyRequestIsAnsweredAndEveryReplicaGetsItsRepliesThroughKills() throws Exception {
        List<ServiceProcess> apis = List.of(stack.api(), started.get(0), started.get(1));
        List<ServiceProcess> workers = List.of(stack.worker(), started.get(2));
        modelId = trainTinyModel(new ApiClient(stack.apiUrl()));
        for (int r = 0; r < apis.size(); r++) {
            assertThat(predict(client(apis.get(r)), r, 0).kind()).as(apis.get(r).name() + " answers before any kill")
                    .isEqualTo("200");
        }

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        // As a Kubernetes Service does, no request goes to the killed replica until it is ready again.
        AtomicBoolean killedApiRoutable = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int replica = c % apis.size();
            ApiClient client = client(apis.get(replica));
            Thread thread = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    if (replica == 2 && !killedApiRoutable.get()) {
                        sleep(100);
                    } else {
                        outcomes.add(predict(client, replica, i));
                    }
                }
            }, "client-" + c);
            thread.start();
            clients.add(thread);
        }
        sleep(8_000);
        ServiceProcess killedApi = apis.get(2);
        ServiceProcess killedWorker = answering(workers);
        killedApiRoutable.set(false);
        long killed = System.nanoTime();
        killedApi.kill();
        killedWorker.kill();
        killedApi.start();
        long restartedReady = System.nanoTime();
        killedApiRoutable.set(true);
        // Past the worker failover and the restarted replica's first answers, both judged below.
        sleep(Math.max(8_000, WORKER_FAILOVER.toMillis() + 8_000 - (restartedReady - killed) / 1_000_000));
        stop.set(true);
        for (Thread client : clients) {
            client.join(CLIENT_TIMEOUT.toMillis() + 5_000);
            assertThat(client.isAlive()).as(client.getName() + " still waiting").isFalse();
        }

        List<Outcome> all = List.copyOf(outcomes);
        Map<String, Integer> byKind = new TreeMap<>();
        all.forEach(o -> byKind.merge("replica " + (o.replica() + 1) + " " + o.kind(), 1, Integer::sum));
        double maxSeconds = all.stream().mapToDouble(Outcome::seconds).max().orElse(0);
        System.out.printf("PredictionRepliesIT: %d requests over %.1f s, %s; max latency %.2f s; restarted replica"
                        + " ready %.1f s after the kills%n", all.size(),
                (all.stream().mapToLong(Outcome::endNanos).max().orElse(0)
                        - all.stream().mapToLong(Outcome::startNanos).min().orElse(0)) / 1e9,
                byKind, maxSeconds, (restartedReady - killed) / 1e9);

        assertThat(all).as("requests that waited past the client's timeout")
                .noneMatch(o -> o.error() != null && o.error().contains(HttpTimeoutException.class.getSimpleName()));
        assertThat(maxSeconds).as("longest wait, s").isLessThan(CLIENT_TIMEOUT.toSeconds());
        long windowStart = killed - CLIENT_TIMEOUT.toNanos();
        long windowEnd = killed + WORKER_FAILOVER.toNanos();
        for (Outcome o : all) {
            if (o.status() == 200) {
                continue;
            }
            if (o.error() != null) {
                assertThat(o.replica()).as("a connection error from a replica that was not killed: " + o).isEqualTo(2);
                assertThat(o.startNanos()).as("a connection error for a request not in flight at the kill: " + o)
                        .isLessThanOrEqualTo(killed);
            } else {
                assertThat(o.status()).as(o.toString()).isIn(502, 503, 504);
                assertThat(o.contentType()).as(o.toString()).startsWith("application/problem+json");
                assertThat(o.startNanos()).as("an error for a request that was not in flight at a killed process: "
                        + o).isBetween(windowStart, windowEnd);
            }
        }
        // Until the killed worker's request partitions have moved, requests routed to them wait, whichever replica
        // sent them: the restarted replica is judged from when it is ready and that failover is over.
        long answerBy = Math.max(restartedReady, killed + WORKER_FAILOVER.toNanos()) + 5_000_000_000L;
        assertThat(all).filteredOn(o -> o.replica() == 2 && o.startNanos() > restartedReady)
                .as("the restarted replica answers 200 within 5 s of being ready (and of the worker's failover)")
                .anyMatch(o -> o.status() == 200 && o.endNanos() < answerBy);
        for (int r = 0; r < apis.size(); r++) {
            assertThat(predict(client(apis.get(r)), r, 1_000).kind()).as(apis.get(r).name() + " after the kills")
                    .isEqualTo("200");
        }
    }

    private static ApiClient client(ServiceProcess api) {
        return new ApiClient(api.url()).withTimeout(CLIENT_TIMEOUT);
    }

    private static Outcome predict(ApiClient client, int replica, int i) {
        long start = System.nanoTime();
        try {
            ApiClient.Answer answer = client.postBytes(
                    "/v1/models/" + modelId + "/predictions", SampleImages.png(i % 2 == 0 ? "ocean" : "sunset", i),
                    "image/png");
            return new Outcome(replica, start, System.nanoTime(), answer.status(), answer.contentType(), null);
        } catch (UncheckedIOException e) {
            return new Outcome(replica, start, System.nanoTime(), 0, null, e.getCause().toString());
        }
    }

    private static String trainTinyModel(ApiClient api) {
        try (ObjectStore store = stack.objectStore()) {
            store.ensureBucket(Stack.BUCKET);
            String prefix = "datasets/default/replies/";
            for (String label : SampleImages.CLASSES) {
                for (int i = 0; i < 4; i++) {
                    store.put(store.inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"),
                            SampleImages.png(label, i), "image/png");
                }
            }
            ApiClient.Answer job = api.postJson("/v1/training-jobs", """
                    {"dataset": "s3://%s/%s", "epochs": 2, "batchSize": 4, "learningRate": 0.003, "hiddenUnits": 16,
                     "validationFraction": 0.25, "seed": 3, "backbone": %s}""".formatted(Stack.BUCKET, prefix,
                    TINY_DENSENET));
            assertThat(job.status()).as(job.body().toString()).isEqualTo(202);
            List<ApiClient.SseEvent> events = new ArrayList<>();
            api.followEvents(job.body().get("id").asText(), events::add);
            assertThat(events).extracting(ApiClient.SseEvent::name).last().isEqualTo("completed");
            return events.get(events.size() - 1).data().get("modelId").asText();
        }
    }

    /** The worker that has answered predictions: the one holding the request partition, so killing it matters. */
    private static ServiceProcess answering(List<ServiceProcess> workers) {
        ServiceProcess busiest = workers.get(0);
        double most = -1;
        for (ServiceProcess worker : workers) {
            double count = Scrape.of(worker.url()).value("transferlab_inference_seconds_count");
            if (count > most) {
                most = count;
                busiest = worker;
            }
        }
        return busiest;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
