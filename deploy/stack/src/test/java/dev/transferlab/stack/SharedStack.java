package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.infra.InfraProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One platform for all end-to-end test classes of a run (starting one takes about half a minute), stopped when the
 * test JVM exits. Also the steps the tests share: put a dataset, submit a job, follow its events.
 */
final class SharedStack {
    static final String TINY_DENSENET = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";

    private static Stack stack;
    private static ApiClient api;
    private static ObjectStore store;

    private SharedStack() {
    }

    static synchronized Stack stack() {
        if (stack == null) {
            Path data;
            try {
                data = Files.createTempDirectory("transferlab-it");
                // A short poll interval, so that long jobs outlast it many times over: a consumer that stopped
                // polling while training would be thrown out of its group and its job redelivered.
                stack = Stack.start(LocalStackOptions.defaults(Stack.home()).withDataDir(data)
                        .withPorts(0, 0, 0, 0).withAuth(true, 0)
                        .withWorkerProperty("mp.messaging.incoming.training-requests.max.poll.interval.ms", "5000")
                        // Where PlatformIT puts its own TorchScript backbone, as a tenant's team would.
                        .withSharedProperty("transferlab.dataset-grants.default", "s3://" + Stack.BUCKET
                                + "/uploads/default/")
                        // TenantsIT's quota checks: globex may have one active job and one prediction a second.
                        .withApiProperty("transferlab.quotas.tenant.globex.active-jobs", "1")
                        .withApiProperty("transferlab.quotas.tenant.globex.predictions-per-second", "1"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // An admin: acts for the default tenant, or for the one asTenant names, as the tests need.
            api = stack.apiAs(DemoRealm.ROOT);
            store = stack.objectStore();
            store.ensureBucket(Stack.BUCKET);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                stack.close();
                InfraProcess.deleteTree(data);
            }));
        }
        return stack;
    }

    static ApiClient api() {
        stack();
        return api;
    }

    static ObjectStore store() {
        stack();
        return store;
    }

    static String putDataset(String name, List<String> classes, int perClass) {
        return putDataset(name, classes, perClass, 0);
    }

    /**
     * Images {@code firstSeed} on: other seeds than other datasets' make other files, and so features that are not
     * in the feature cache yet.
     */
    static String putDataset(String name, List<String> classes, int perClass, int firstSeed) {
        String prefix = "datasets/default/" + name + "/";
        for (String label : classes) {
            for (int i = 0; i < perClass; i++) {
                store().put(store().inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"),
                        SampleImages.png(label, firstSeed + i), "image/png");
            }
        }
        return "s3://" + Stack.BUCKET + "/" + prefix;
    }

    static String jobBody(String dataset, int epochs, int batchSize, String backbone) {
        return """
                {"dataset": "%s", "epochs": %d, "batchSize": %d, "learningRate": 0.003, "hiddenUnits": 64,
                 "validationFraction": 0.25, "seed": 3, "backbone": %s}""".formatted(dataset, epochs, batchSize,
                backbone);
    }

    static String submit(String dataset, int epochs, int batchSize) {
        return submit(jobBody(dataset, epochs, batchSize, TINY_DENSENET));
    }

    static String submit(String body) {
        ApiClient.Answer answer = api().postJson("/v1/training-jobs", body);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        assertThat(answer.location()).endsWith("/v1/training-jobs/" + answer.body().get("id").asText());
        assertThat(answer.body().get("state").asText()).isEqualTo("queued");
        return answer.body().get("id").asText();
    }

    static List<ApiClient.SseEvent> follow(String jobId) {
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api().followEvents(jobId, events::add);
        return events;
    }

    static JsonNode last(List<ApiClient.SseEvent> events) {
        assertThat(events).isNotEmpty();
        return events.get(events.size() - 1).data();
    }

    /** Waits until the job has reported this epoch (or a later one). */
    static void awaitEpoch(String jobId, int epoch) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            JsonNode metrics = api().get("/v1/training-jobs/" + jobId).body().path("latestMetrics");
            if (metrics.path("epoch").asInt() >= epoch) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(jobId + " never reached epoch " + epoch);
    }

    /** No event twice, and epochs 1 to {@code epochs} each once and in order, whatever happened to the workers. */
    static void assertEveryEpochOnce(List<ApiClient.SseEvent> events, int epochs) {
        assertThat(events).extracting(ApiClient.SseEvent::id).doesNotHaveDuplicates();
        assertThat(events.stream().filter(e -> e.name().equals("epoch-completed"))
                .map(e -> e.data().get("metrics").get("epoch").asInt()).toList())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, epochs).boxed().toList());
    }

    static void awaitPhase(String jobId, String phasePrefix) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = api().get("/v1/training-jobs/" + jobId).body();
            if (job.path("phase").asText().startsWith(phasePrefix)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(jobId + " never reached phase '" + phasePrefix + "'");
    }
}
