package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.stack.bench.FinishedJobs;
import dev.transferlab.stack.bench.HostileRecord;
import dev.transferlab.stack.bench.HostileRecords;
import dev.transferlab.stack.bench.HostileRequest;
import dev.transferlab.stack.bench.HostileRequests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.transferlab.stack.SharedStack.store;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input against the running platform (real broker, S3 server, both services as processes): archives,
 * images in datasets and predictions, JSON bodies, ids, and records put straight on the topics. Each item gets its
 * documented answer (a status, a skip reason, a dead-letter reason), and afterwards both services are up, answer
 * within seconds, stay under their memory bound, the store holds nothing partial, and another tenant's job and model
 * are untouched ({@link Unharmed}).
 *
 * <p>The items that can damage a service trusting them run last, those that damage it for good (events on the topic
 * every api-service replays) at the very end; a service found down after an item is restarted so the next item is
 * judged on its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class HostileInputIT {
    private static final String OTHER_TENANT = "tenant-b";
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);
    private static final Duration DEAD_LETTER_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern MAX_ENTRIES =
            Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)[^;]*int maxEntries\\(\\);");

    private static ApiClient api;
    private static ApiClient otherTenant;
    private static String otherDatasetLocation;
    private static String otherDataset;
    private static String otherJob;
    private static Unharmed unharmed;

    /** Another tenant's normal job, trained first: its model answers the normal predictions of every check. */
    @BeforeAll
    static void anotherTenantsJobAndModel() {
        api = SharedStack.api().withTimeout(Duration.ofSeconds(60));
        otherTenant = api.asTenant(OTHER_TENANT);
        JsonNode dataset = upload(otherTenant, normalImages(6, 500));
        otherDatasetLocation = dataset.get("location").asText();
        otherDataset = dataset.get("id").asText();
        otherJob = submit(otherTenant, otherDataset, 3);
        assertThat(awaitEnd(otherTenant, otherJob)).isEqualTo("completed");
        byte[] manifest = store().get(store().inDefaultBucket(StorageLayout.modelManifest(OTHER_TENANT, otherJob)))
                .orElseThrow();
        unharmed = new Unharmed(OTHER_TENANT, api, otherJob, manifest);
    }

    @AfterEach
    void restartWhatIsDown() {
        Unharmed.repair();
    }

    @Test
    @Order(1)
    void jobBodiesThatAreNotExactlyTheContractAre400NamingTheField() {
        Set<String> before = Unharmed.storeKeys();
        List<String> mismatches = new ArrayList<>();
        for (HostileRequest request : HostileRequests.json()) {
            ApiClient.Answer answer = request.sendTo(api);
            if (answer.status() == 202) {
                // Wrongly accepted: cancelled at once, so that it does not hold the worker for the next items.
                api.delete("/v1/training-jobs/" + answer.body().get("id").asText());
            }
            note(mismatches, request.kind(), request.mismatch(answer));
        }
        assertThat(mismatches).as("bodies not answered as documented").isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(2)
    void idsAndTenantsOutsideTheRulesAre404Or400AndReachNoOtherTenant() {
        Set<String> before = Unharmed.storeKeys();
        List<String> mismatches = new ArrayList<>();
        for (HostileRequest request : HostileRequests.ids(OTHER_TENANT, otherJob)) {
            note(mismatches, request.kind(), request.mismatch(request.sendTo(api)));
        }
        assertThat(mismatches).as("ids and tenants not answered as documented").isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(3)
    void refusedUploadsNameTheEntryAndLeaveNothingInStorage() {
        Set<String> before = Unharmed.storeKeys();
        int datasetObjects = datasetObjects();
        List<String> mismatches = new ArrayList<>();
        for (HostileRequest request : HostileRequests.archives(configuredMaxEntries())) {
            ApiClient.Answer answer = request.sendTo(api);
            note(mismatches, request.kind(), request.mismatch(answer));
            if (answer.status() == 201) {
                api.delete("/v1/datasets/" + answer.body().get("id").asText());
            } else if (datasetObjects() != datasetObjects) {
                mismatches.add(request.kind() + ": left objects under datasets/ after its refusal");
            }
        }
        assertThat(mismatches).as("uploads not answered as documented").isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(4)
    void threeLongNameUploadsAtOnceAre422AndTheApiServiceStaysWithinItsMemory() {
        Set<String> before = Unharmed.storeKeys();
        HostileRequest request = HostileRequests.longNameUpload();
        List<String> mismatches = new ArrayList<>();
        for (ApiClient.Answer answer : atOnce(3, () -> request.sendTo(api))) {
            note(mismatches, request.kind(), request.mismatch(answer));
        }
        assertThat(mismatches).isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(5)
    void predictionsOfDamagedOrHugeImagesAre422Or413() {
        Set<String> before = Unharmed.storeKeys();
        List<String> mismatches = new ArrayList<>();
        for (HostileRequest request : HostileRequests.images(otherJob)) {
            note(mismatches, request.kind(), request.mismatch(request.sendTo(otherTenant)));
        }
        assertThat(mismatches).as("predictions not answered as documented").isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(6)
    void malformedInferenceRecordsAreDeadLetteredWithAReasonAndPredictionsGoOn() {
        Set<String> before = Unharmed.storeKeys();
        List<HostileRecord> records = HostileRecords.inferenceRequests(OTHER_TENANT, otherJob, OTHER_TENANT);
        HostileRecords.send(bootstrap(), records);

        assertThat(deadLetterMismatches(records, DEAD_LETTER_DEADLINE)).isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(7)
    void malformedTrainingRecordsAreDeadLetteredWithAReasonAndTheJobsAroundThemComplete() {
        Set<String> before = Unharmed.storeKeys();
        List<HostileRecord> records = HostileRecords.trainingRequests(otherDatasetLocation, OTHER_TENANT);
        String running = submit(otherTenant, otherDataset, 30);
        HostileRecords.send(bootstrap(), records.subList(0, records.size() / 2));
        String following = submit(otherTenant, otherDataset, 1);
        HostileRecords.send(bootstrap(), records.subList(records.size() / 2, records.size()));

        assertThat(awaitEnd(otherTenant, running)).as("the job running while the records came").isEqualTo("completed");
        assertThat(awaitEnd(otherTenant, following)).as("the job queued among them").isEqualTo("completed");
        assertThat(deadLetterMismatches(records, DEAD_LETTER_DEADLINE)).isEmpty();
        unharmed.assertHolds(before, key -> key.startsWith(StorageLayout.modelPrefix(OTHER_TENANT, running))
                || key.startsWith(StorageLayout.modelPrefix(OTHER_TENANT, following)));
    }

    @Test
    @Order(8)
    void damagedAndHugeImagesInADatasetAreSkippedWithTheirReasonAndTheJobCompletes() {
        Set<String> before = Unharmed.storeKeys();
        Map<String, byte[]> files = normalImages(6, 700);
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("train/ocean/negative-chunk-length.png", HostileFiles.pngWithNegativeChunkLength());
        hostile.put("train/ocean/cmyk-13300.jpg", HostileFiles.cmykJpegDeclaring(13_300, 13_300));
        hostile.put("train/sunset/png16-12000.png", HostileFiles.png16BitDeclaring(12_000, 12_000));
        hostile.put("train/sunset/truncated.jpg", HostileFiles.truncatedJpeg());
        hostile.put("train/ocean/random.jpg", HostileFiles.randomBytesWithJpegSignature(3));
        files.putAll(hostile);
        JsonNode dataset = upload(api, files);
        assertThat(dataset.get("images").asInt()).as("images are recognised, not decoded, at upload")
                .isEqualTo(files.size());
        String job = submit(api, dataset.get("id").asText(), 2);
        String state;
        try {
            state = awaitEnd(api, job);
        } finally {
            cancelIfRunning(job);
        }

        assertThat(state).isEqualTo("completed");
        List<ApiClient.SseEvent> events = SharedStack.follow(job);
        JsonNode done = events.stream().filter(e -> e.name().equals("extraction-progress"))
                .reduce((a, b) -> b).orElseThrow().data().get("extraction");
        Map<String, String> reasons = new LinkedHashMap<>();
        done.get("skippedFiles").forEach(s -> {
            String line = s.asText();
            int colon = line.indexOf(": ");
            reasons.put(colon < 0 ? line : line.substring(0, colon), colon < 0 ? "" : line.substring(colon + 2));
        });
        assertThat(reasons.keySet()).containsExactlyInAnyOrderElementsOf(hostile.keySet());
        assertThat(reasons.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
        for (String huge : List.of("train/ocean/cmyk-13300.jpg", "train/sunset/png16-12000.png")) {
            assertThat(reasons.get(huge).toLowerCase(java.util.Locale.ROOT)).as(huge + " names the limit it is over")
                    .containsAnyOf("too large", "limit");
        }
        assertThat(SharedStack.last(events).get("message").asText()).contains("skipped " + hostile.size());
        assertThat(api.delete("/v1/datasets/" + dataset.get("id").asText()).status()).isEqualTo(204);
        unharmed.assertHolds(before, key -> key.startsWith(StorageLayout.modelPrefix("default", job))
                || key.startsWith("features/default/"));
    }

    @Test
    @Order(9)
    void twoNegativeLengthPngPredictionsAtOnceAre422AndPredictionsGoOn() {
        Set<String> before = Unharmed.storeKeys();
        HostileRequest request = HostileRequests.negativeLengthPng(otherJob);
        ApiClient impatient = otherTenant.withTimeout(Duration.ofSeconds(45));
        List<String> mismatches = new ArrayList<>();
        for (ApiClient.Answer answer : atOnce(2, () -> request.sendTo(impatient))) {
            note(mismatches, request.kind(), request.mismatch(answer));
        }
        assertThat(mismatches).isEmpty();
        unharmed.assertHolds(before, key -> false);
    }

    @Test
    @Order(10)
    void eventsThatDoNotFitTheProjectionLeaveListingAndDeletionWorkingForEveryTenantAlsoAfterARestart() {
        Set<String> before = Unharmed.storeKeys();
        String mine = upload(api, normalImages(1, 800)).get("id").asText();
        String theirs = upload(otherTenant, normalImages(1, 800)).get("id").asText();
        List<HostileRecord> records = HostileRecords.events();
        HostileRecords.send(bootstrap(), records);
        awaitEventsApplied();

        // Dead-lettering these is the projection's choice; what it gives as the reason must be one a person can use.
        Map<String, String> reasons = HostileRecords.deadLetterReasons(bootstrap(),
                records.stream().map(HostileRecord::key).toList(), Duration.ofSeconds(10));
        assertThat(records.stream().filter(r -> reasons.containsKey(r.key()))
                .map(r -> r.kind() + ": " + r.mismatch(reasons.get(r.key()))).filter(m -> !m.endsWith(": null")))
                .isEmpty();
        assertListingAnswersForEveryTenant();
        assertThat(api.delete("/v1/datasets/" + mine).status()).isEqualTo(204);

        SharedStack.stack().api().close();
        SharedStack.stack().api().start();
        assertListingAnswersForEveryTenant();
        assertThat(otherTenant.delete("/v1/datasets/" + theirs).status()).isEqualTo(204);
        unharmed.assertHolds(before, key -> false);
    }

    /**
     * Sends a well-formed finished job after the records and waits until the api serves it: the events topic has one
     * partition, so every record before it has been applied or dead-lettered. (The api keeps its position in the
     * job store, not as the consumer group's committed offsets, so those say nothing.)
     */
    private static void awaitEventsApplied() {
        String sentinel = "job-" + UUID.randomUUID();
        List<HostileRecord> events = FinishedJobs.events(sentinel, "tenant-c", 1, new Random(1)).stream()
                .map(e -> new HostileRecord("sentinel", Topics.TRAINING_EVENTS, sentinel,
                        Messages.toJson(e).getBytes(StandardCharsets.UTF_8), List.of()))
                .toList();
        HostileRecords.send(bootstrap(), events);
        ApiClient tenantC = api.asTenant("tenant-c");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (tenantC.get("/v1/training-jobs/" + sentinel).status() != 200) {
            assertThat(Instant.now()).as("the events after the hostile records were not applied within 60 s")
                    .isBefore(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void assertListingAnswersForEveryTenant() {
        for (ApiClient client : List.of(api, otherTenant, api.asTenant("tenant-c"))) {
            ApiClient.Answer list = client.get("/v1/training-jobs");
            assertThat(list.status()).as(client.headers() + " " + list.body()).isEqualTo(200);
        }
    }

    /** Each record's dead-letter problem, "kind: problem"; empty when every one is dead-lettered as documented. */
    private static List<String> deadLetterMismatches(List<HostileRecord> records, Duration timeout) {
        Map<String, String> reasons = HostileRecords.deadLetterReasons(bootstrap(),
                records.stream().map(HostileRecord::key).toList(), timeout);
        List<String> mismatches = new ArrayList<>();
        for (HostileRecord r : records) {
            note(mismatches, r.toString(), r.mismatch(reasons.get(r.key())));
        }
        return mismatches;
    }

    /** The same request {@code n} times concurrently, each on its own thread; the answers in order. */
    private static List<ApiClient.Answer> atOnce(int n, Supplier<ApiClient.Answer> request) {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<CompletableFuture<ApiClient.Answer>> answers = IntStream.range(0, n)
                    .mapToObj(i -> CompletableFuture.supplyAsync(request, threads)).toList();
            return answers.stream().map(CompletableFuture::join).toList();
        } finally {
            threads.shutdownNow();
        }
    }

    private static void note(List<String> mismatches, String kind, String mismatch) {
        if (mismatch != null) {
            mismatches.add(kind + ": " + mismatch);
        }
    }

    private static Map<String, byte[]> normalImages(int perClass, int firstSeed) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < perClass; i++) {
                files.put("train/" + label + "/" + i + ".png", SampleImages.png(label, firstSeed + i));
            }
        }
        return files;
    }

    private static JsonNode upload(ApiClient client, Map<String, byte[]> files) {
        ApiClient.Answer created = client.postBytes("/v1/datasets", DatasetArchives.tarGz(files), "application/gzip");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created.body();
    }

    private static String submit(ApiClient client, String datasetId, int epochs) {
        ApiClient.Answer answer = client.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": %d, "batchSize": 4, "hiddenUnits": 16, "validationFraction": 0.25,
                 "seed": 3, "backbone": %s}""".formatted(datasetId, epochs, SharedStack.TINY_DENSENET));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return answer.body().get("id").asText();
    }

    /** Polls the job until it has ended, and returns its state; fails when it has not within the deadline. */
    private static String awaitEnd(ApiClient client, String jobId) {
        Instant deadline = Instant.now().plus(JOB_DEADLINE);
        JsonNode job = null;
        while (Instant.now().isBefore(deadline)) {
            job = client.get("/v1/training-jobs/" + jobId).body();
            String state = job.path("state").asText();
            if (Set.of("completed", "failed", "cancelled").contains(state)) {
                return state;
            }
            sleep(250);
        }
        throw new AssertionError(jobId + " did not end within " + JOB_DEADLINE + "; last seen: " + job);
    }

    private static void cancelIfRunning(String jobId) {
        String state = api.get("/v1/training-jobs/" + jobId).body().path("state").asText();
        if (state.equals("queued") || state.equals("running")) {
            api.delete("/v1/training-jobs/" + jobId);
        }
    }

    private static int datasetObjects() {
        return store().list(store().inDefaultBucket("datasets/")).size();
    }

    private static String bootstrap() {
        return SharedStack.stack().infra().kafkaBootstrap();
    }

    /** The api-service's max-entries as the shared stack runs it: UploadSettings's default, not overridden there. */
    private static int configuredMaxEntries() {
        String settings;
        try {
            settings = Files.readString(Stack.home().resolve(
                    "api-service/src/main/java/dev/transferlab/api/datasets/UploadSettings.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher declared = MAX_ENTRIES.matcher(settings);
        assertThat(declared.find()).as("maxEntries() with its @WithDefault in UploadSettings").isTrue();
        return Integer.parseInt(declared.group(1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
