package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Datasets end to end, through HTTP only: uploads and their refusals, registration, training by dataset id, corrupt
 * images, the feature cache, and deleting. The stack's upload limits are made small so that going over them is cheap.
 */
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class DatasetsIT {
    private static final String TINY_DENSENET = """
            {"name": "densenet", "growthRate": 8, "blockConfig": [2, 2], "numInitFeatures": 16, "bnSize": 2}""";
    private static final String PROBLEM = "application/problem+json";

    @TempDir
    static Path data;
    static Stack stack;
    static ApiClient api;
    static ObjectStore store;

    @BeforeAll
    static void startStack() {
        stack = Stack.start(LocalStackOptions.defaults(Stack.home()).withDataDir(data).withPorts(0, 0, 0, 0)
                .withApiProperty("transferlab.datasets.max-upload-size", "3M")
                .withApiProperty("transferlab.datasets.max-unpacked-size", "2M")
                .withApiProperty("transferlab.datasets.max-file-size", "600K")
                .withApiProperty("transferlab.datasets.max-files", "60")
                .withApiProperty("transferlab.datasets.min-images-per-class", "5")
                .withWorkerProperty("transferlab.features.progress-interval", "0s")
                // This stack runs as the single-user laptop: no OpenID provider, every request an admin.
                .withAuth(false, 0)
                .withSharedProperty("transferlab.dataset-grants.default", "s3://" + Stack.BUCKET + "/incoming/"));
        api = new ApiClient(stack.apiUrl());
        store = stack.objectStore();
        store.ensureBucket(Stack.BUCKET);
    }

    @AfterAll
    static void stopStack() {
        if (store != null) {
            store.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void anUploadIsListedReadAndDeletedAndKeepsItsClassNames() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String c : List.of("Océan", "océan", "日没")) {
            for (int i = 0; i < 5; i++) {
                files.put("photos/" + c + "/" + i + ".png", SampleImages.png(i % 2 == 0 ? "ocean" : "sunset", i));
            }
        }
        files.put("photos/Océan/.DS_Store", new byte[] {0, 0, 0, 1, 'B', 'u', 'd', '1'});
        files.put("__MACOSX/photos/Océan/._0.png", new byte[] {0, 5, 22, 7});
        files.put("photos/océan/notes.txt", "taken in 2020".getBytes(StandardCharsets.UTF_8));

        ApiClient.Answer created = api.postBytes("/v1/datasets?name=photos", DatasetArchives.tarGz(files),
                "application/gzip");

        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        JsonNode dataset = created.body();
        String id = dataset.get("id").asText();
        assertThat(created.location()).endsWith("/v1/datasets/" + id);
        assertThat(dataset.get("name").asText()).isEqualTo("photos");
        assertThat(dataset.get("layout").asText()).isEqualTo("classes");
        assertThat(dataset.get("classes")).extracting(JsonNode::asText).containsExactly("Océan", "océan", "日没");
        assertThat(dataset.at("/counts/train/日没").asInt()).isEqualTo(3);
        assertThat(dataset.at("/counts/val/日没").asInt()).isEqualTo(1);
        assertThat(dataset.at("/counts/test/日没").asInt()).isEqualTo(1);
        assertThat(dataset.get("images").asInt()).isEqualTo(15);
        assertThat(dataset.get("skipped")).extracting(s -> s.get("path").asText())
                .containsExactly("photos/océan/notes.txt");
        assertThat(dataset.get("warnings")).hasSize(3);
        assertThat(dataset.get("contentHash").asText()).startsWith("sha256-");

        // The same archive as the form field "file", as curl -F sends it: named after the file when no name is given.
        String boundary = "----transferlab" + System.nanoTime();
        byte[] form = multipart(boundary, "photos.tar.gz", DatasetArchives.tarGz(files));
        ApiClient.Answer fromForm = api.postBytes("/v1/datasets", form, "multipart/form-data; boundary=" + boundary);
        assertThat(fromForm.status()).as(fromForm.body().toString()).isEqualTo(201);
        assertThat(fromForm.body().get("name").asText()).isEqualTo("photos.tar.gz");
        assertThat(fromForm.body().get("contentHash")).as(fromForm.body() + " vs " + dataset).isEqualTo(dataset.get("contentHash"));
        assertThat(api.delete("/v1/datasets/" + fromForm.body().get("id").asText()).status()).isEqualTo(204);

        assertThat(api.get("/v1/datasets").body()).extracting(d -> d.get("id").asText()).contains(id);
        assertThat(api.get("/v1/datasets/" + id).body().get("contentHash")).isEqualTo(dataset.get("contentHash"));
        assertThat(api.delete("/v1/datasets/" + id).status()).isEqualTo(204);
        ApiClient.Answer gone = api.get("/v1/datasets/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith(PROBLEM);
        assertThat(store.list(store.inDefaultBucket(StorageLayout.datasetPrefix("default", id)))).isEmpty();
    }

    @Test
    void everyBadUploadGetsItsAnswerAndLeavesNothingInStorage() {
        byte[] png = SampleImages.png("ocean", 1);
        Map<String, byte[]> good = new LinkedHashMap<>();
        good.put("train/ocean/0.png", png);
        good.put("train/sunset/0.png", SampleImages.png("sunset", 1));
        Map<String, Bad> cases = new LinkedHashMap<>();
        cases.put("zip-slip", new Bad(422, DatasetArchives.zip(with(good, "train/../../evil.png", png), List.of())));
        cases.put("absolute path", new Bad(422, DatasetArchives.tarGz(with(good, "/tmp/evil.png", png))));
        cases.put("symbolic link", new Bad(422, DatasetArchives.zip(good, List.of("train/ocean/link.png"))));
        Map<String, byte[]> many = new LinkedHashMap<>(good);
        for (int i = 0; i < 60; i++) {
            many.put("train/ocean/" + i + ".txt", new byte[] {'x'});
        }
        cases.put("too many files", new Bad(413, DatasetArchives.tarGz(many)));
        cases.put("a file too large", new Bad(413, DatasetArchives.zip(with(good, "train/ocean/big.png",
                new byte[700_000]), List.of())));
        Map<String, byte[]> bomb = new LinkedHashMap<>(good);
        for (int i = 0; i < 4; i++) {
            bomb.put("train/ocean/zeros" + i + ".bin", new byte[590_000]);
        }
        cases.put("unpacks too large", new Bad(413, DatasetArchives.zip(bomb, List.of())));
        cases.put("not an archive", new Bad(415, "just some text".getBytes(StandardCharsets.UTF_8)));
        cases.put("no images", new Bad(422, DatasetArchives.tarGz(Map.of("train/ocean/a.txt", new byte[] {'a'}))));
        cases.put("one class", new Bad(422, DatasetArchives.tarGz(Map.of("train/ocean/0.png", png,
                "train/ocean/1.png", SampleImages.png("ocean", 2)))));
        byte[] tarGz = DatasetArchives.tarGz(good);
        cases.put("truncated archive", new Bad(422, Arrays.copyOf(tarGz, tarGz.length / 2)));
        int before = datasetObjects();

        cases.forEach((what, bad) -> {
            ApiClient.Answer answer = api.postBytes("/v1/datasets", bad.body(), "application/octet-stream");
            assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(bad.status());
            assertThat(answer.contentType()).as(what).startsWith(PROBLEM);
            assertThat(answer.body().get("detail").asText()).as(what).isNotBlank();
            assertThat(datasetObjects()).as(what + " left objects behind").isEqualTo(before);
        });
        ApiClient.Answer wrongType = api.postBytes("/v1/datasets", png, "image/png");
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.contentType()).startsWith(PROBLEM);

        // Too large by its declared size: refused before a byte of it is sent, as curl asks first for big bodies.
        ExpectContinue.Exchange tooLarge = ExpectContinue.post(stack.apiUrl(), "/v1/datasets", new byte[3_500_000],
                "application/zip");
        assertThat(tooLarge.firstStatus()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith(PROBLEM);
        assertThat(tooLarge.body().get("detail").asText()).contains("3500000 bytes");
        assertThat(datasetObjects()).isEqualTo(before);
        ExpectContinue.Exchange fits = ExpectContinue.post(stack.apiUrl(), "/v1/datasets",
                DatasetArchives.tarGz(good), "application/gzip");
        assertThat(fits.firstStatus()).isEqualTo(100);
        assertThat(fits.finalStatus()).as(fits.body().toString()).isEqualTo(201);
        assertThat(api.delete("/v1/datasets/" + fits.body().get("id").asText()).status()).isEqualTo(204);
    }

    @Test
    void anUploadWithBaselineQueuesAFeaturesOnlyJobAndTheFirstTrainingJobFindsItsFeaturesCached() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String c : SampleImages.CLASSES) {
            for (int i = 0; i < 10; i++) {
                files.put("train/" + c + "/" + i + ".png", SampleImages.png(c, 100 + i));
            }
        }
        ApiClient.Answer created = api.postBytes("/v1/datasets?name=prepared&baseline=true",
                DatasetArchives.tarGz(files), "application/octet-stream");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.body().get("id").asText();
        String link = created.header("Link").orElseThrow(() -> new AssertionError("no Link to the baseline job"));
        Matcher job = Pattern.compile("<http://[^>]+/v1/training-jobs/(job-[0-9a-f-]+)>; *rel=\"baseline-job\"")
                .matcher(link);
        assertThat(job.find()).as(link).isTrue();
        String prepared = job.group(1);

        List<ApiClient.SseEvent> events = follow(prepared);
        assertThat(names(events)).contains("extraction-progress", "learnability-baseline")
                .doesNotContain("epoch-completed").last().isEqualTo("completed");
        JsonNode view = api.get("/v1/training-jobs/" + prepared).body();
        assertThat(view.get("featuresOnly").asBoolean()).isTrue();
        assertThat(view.get("datasetId").asText()).isEqualTo(id);
        assertThat(view.has("modelId")).as("a features-only job stores no model").isFalse();
        JsonNode kept = api.get("/v1/datasets/" + id + "/baselines").body();
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).get("images").asInt()).isEqualTo(20);
        assertThat(kept.get(0)).isEqualTo(view.get("baseline"));

        // The first training job on the new dataset, on the same (default) backbone: nothing to extract.
        ApiClient.Answer trained = api.postJson("/v1/training-jobs", """
                {"datasetId": "%s", "epochs": 2, "batchSize": 8}""".formatted(id));
        assertThat(trained.status()).as(trained.body().toString()).isEqualTo(202);
        List<ApiClient.SseEvent> trainedEvents = follow(trained.body().get("id").asText());
        assertThat(names(trainedEvents)).contains("feature-cache-hit").doesNotContain("extraction-progress")
                .last().isEqualTo("completed");
        assertThat(trainedEvents.stream().filter(e -> e.name().equals("learnability-baseline")).findFirst()
                .orElseThrow().data().get("baseline")).as("read back, not computed again").isEqualTo(kept.get(0));
    }

    @Test
    void corruptImagesAreSkippedAndReportedAndASecondJobOnTheDatasetHitsTheFeatureCache() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String c : SampleImages.CLASSES) {
            for (int i = 0; i < 10; i++) {
                files.put("train/" + c + "/" + i + ".png", SampleImages.png(c, i));
            }
        }
        byte[] whole = SampleImages.png("ocean", 77);
        files.put("train/ocean/truncated.png", Arrays.copyOf(whole, whole.length / 2));
        String id = upload(DatasetArchives.tarGz(files));

        String first = submit("\"datasetId\": \"" + id + "\"", 4, 0.003, 64);
        ApiClient.Answer inUse = api.delete("/v1/datasets/" + id);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.contentType()).startsWith(PROBLEM);
        assertThat(inUse.body().get("detail").asText()).contains(first);

        List<ApiClient.SseEvent> firstEvents = follow(first);
        assertThat(names(firstEvents)).contains("extraction-progress").doesNotContain("feature-cache-hit")
                .last().isEqualTo("completed");
        List<JsonNode> progress = firstEvents.stream().filter(e -> e.name().equals("extraction-progress"))
                .map(e -> e.data().get("extraction")).toList();
        assertThat(progress).hasSizeGreaterThan(1).extracting(p -> p.get("done").asInt()).isSorted();
        JsonNode done = progress.get(progress.size() - 1);
        assertThat(done.get("done").asInt()).isEqualTo(21).isEqualTo(done.get("total").asInt());
        assertThat(done.get("skipped").asInt()).isEqualTo(1);
        assertThat(done.get("skippedFiles").get(0).asText()).startsWith("train/ocean/truncated.png: ");
        assertThat(done.get("imagesPerSecond").asDouble()).isPositive();
        assertThat(firstEvents.get(firstEvents.size() - 1).data().get("message").asText()).contains("skipped 1");

        // The learnability baseline: a probe cross-validated on the 20 decodable images, kept with the dataset.
        JsonNode probed = firstEvents.stream().filter(e -> e.name().equals("learnability-baseline")).findFirst()
                .orElseThrow().data();
        assertThat(probed.at("/baseline/images").asInt()).isEqualTo(20);
        assertThat(probed.at("/baseline/folds").asInt()).isEqualTo(5);
        assertThat(probed.at("/baseline/classes")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(SampleImages.CLASSES);
        assertThat(probed.get("message").asText()).startsWith("a linear probe on the features reaches ");
        JsonNode kept = api.get("/v1/datasets/" + id + "/baselines").body();
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0)).isEqualTo(probed.get("baseline"));
        assertThat(api.get("/v1/training-jobs/" + first).body().get("baseline")).isEqualTo(probed.get("baseline"));

        String second = submit("\"datasetId\": \"" + id + "\"", 2, 0.01, 32);
        List<ApiClient.SseEvent> secondEvents = follow(second);
        assertThat(names(secondEvents)).contains("feature-cache-hit").doesNotContain("extraction-progress")
                .last().isEqualTo("completed");
        JsonNode hit = secondEvents.stream().filter(e -> e.name().equals("feature-cache-hit")).findFirst()
                .orElseThrow().data();
        assertThat(hit.at("/extraction/skipped").asInt()).isEqualTo(1);
        assertThat(hit.get("message").asText()).contains("the backbone does no work");
        assertThat(secondEvents.stream().filter(e -> e.name().equals("learnability-baseline")).findFirst()
                .orElseThrow().data().get("baseline")).as("read back, not computed again").isEqualTo(kept.get(0));

        // The same files uploaded again are another dataset with the same content, so its jobs hit the cache too.
        String again = upload(DatasetArchives.zip(files, List.of()));
        assertThat(again).isNotEqualTo(id);
        assertThat(api.get("/v1/datasets/" + again).body().get("contentHash"))
                .isEqualTo(api.get("/v1/datasets/" + id).body().get("contentHash"));
        String third = submit("\"datasetId\": \"" + again + "\"", 1, 0.001, 16);
        assertThat(names(follow(third))).contains("feature-cache-hit").doesNotContain("extraction-progress");

        // The worker's own account: the backbone ran for the first job only.
        String log = Files.readString(stack.worker().log());
        assertThat(log).contains(first + ": 20 images through the backbone")
                .contains(second + ": features read from the cache")
                .contains(third + ": features read from the cache")
                .doesNotContain(second + ": 20 images through the backbone");

        assertThat(api.delete("/v1/datasets/" + id).status()).isEqualTo(204);
        assertThat(api.delete("/v1/datasets/" + again).status()).isEqualTo(204);
        assertThat(api.get("/v1/datasets/" + id + "/baselines").status()).isEqualTo(404);
    }

    @Test
    void imagesAlreadyInStorageAreRegisteredAndTrainedOnInPlace() {
        String prefix = "incoming/sea-and-sky/";
        for (String c : SampleImages.CLASSES) {
            for (int i = 0; i < 6; i++) {
                store.put(store.inDefaultBucket(prefix + c + "/" + i + ".png"), SampleImages.png(c, 100 + i),
                        "image/png");
            }
        }
        ApiClient.Answer registered = api.postJson("/v1/datasets", """
                {"location": "s3://%s/%s", "name": "sea and sky"}""".formatted(Stack.BUCKET, prefix));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        assertThat(registered.body().get("kind").asText()).isEqualTo("registered");
        assertThat(registered.body().get("images").asInt()).isEqualTo(12);
        String id = registered.body().get("id").asText();

        String job = submit("\"datasetId\": \"" + id + "\"", 2, 0.003, 32);
        assertThat(names(follow(job))).last().isEqualTo("completed");
        assertThat(api.get("/v1/training-jobs/" + job).body().get("datasetId").asText()).isEqualTo(id);

        assertThat(api.delete("/v1/datasets/" + id).status()).isEqualTo(204);
        assertThat(store.list(store.inDefaultBucket(prefix))).as("registered data is not the platform's to delete")
                .hasSize(12);
        ApiClient.Answer internal = api.postJson("/v1/datasets", "{\"location\": \"datasets/default/\"}");
        assertThat(internal.status()).isEqualTo(404);
    }

    @Test
    void aJobNamesExactlyOneDatasetAndBodiesHaveALimit() {
        ApiClient.Answer neither = api.postJson("/v1/training-jobs", "{\"epochs\": 1}");
        assertThat(neither.status()).isEqualTo(400);
        assertThat(neither.body().get("errors")).extracting(e -> e.get("field").asText()).containsExactly("dataset");
        ApiClient.Answer both = api.postJson("/v1/training-jobs",
                "{\"dataset\": \"datasets/x/\", \"datasetId\": \"ds-abc\"}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.body().get("errors")).extracting(e -> e.get("field").asText()).containsExactly("datasetId");
        ApiClient.Answer unknown = api.postJson("/v1/training-jobs", "{\"datasetId\": \"ds-doesnotexist\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith(PROBLEM);
        ApiClient.Answer malformed = api.postJson("/v1/training-jobs", "{\"datasetId\": \"../etc\"}");
        assertThat(malformed.status()).isEqualTo(400);

        // Uploads may be gigabytes; a JSON command may not.
        byte[] huge = ("{\"dataset\": \"" + "x".repeat(9 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        ExpectContinue.Exchange tooLarge = ExpectContinue.post(stack.apiUrl(), "/v1/training-jobs", huge,
                "application/json");
        assertThat(tooLarge.firstStatus()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith(PROBLEM);
    }

    private record Bad(int status, byte[] body) {
    }

    private static Map<String, byte[]> with(Map<String, byte[]> files, String path, byte[] content) {
        Map<String, byte[]> more = new LinkedHashMap<>(files);
        more.put(path, content);
        return more;
    }

    private static byte[] multipart(String boundary, String fileName, byte[] content) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/gzip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private static int datasetObjects() {
        return store.list(store.inDefaultBucket(StorageLayout.tenantDatasets("default"))).size();
    }

    private static String upload(byte[] archive) {
        ApiClient.Answer created = api.postBytes("/v1/datasets", archive, "application/octet-stream");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created.body().get("id").asText();
    }

    private static String submit(String datasetField, int epochs, double learningRate, int hiddenUnits) {
        ApiClient.Answer answer = api.postJson("/v1/training-jobs", """
                {%s, "epochs": %d, "batchSize": 8, "learningRate": %s, "hiddenUnits": %d,
                 "validationFraction": 0.25, "seed": 3, "backbone": %s}""".formatted(datasetField, epochs,
                learningRate, hiddenUnits, TINY_DENSENET));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return answer.body().get("id").asText();
    }

    private static List<ApiClient.SseEvent> follow(String jobId) {
        List<ApiClient.SseEvent> events = new ArrayList<>();
        api.followEvents(jobId, events::add);
        return events;
    }

    private static List<String> names(List<ApiClient.SseEvent> events) {
        return events.stream().map(ApiClient.SseEvent::name).toList();
    }
}
