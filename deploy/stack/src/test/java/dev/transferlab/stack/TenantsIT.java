package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.infra.KeycloakProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.transferlab.stack.SharedStack.TINY_DENSENET;
import static dev.transferlab.stack.SharedStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenants against the real OpenID provider (Keycloak), broker and S3 server: alice (acme, trainer) owns a dataset, a
 * model and a job; bob (globex, trainer) tries every endpoint on them; ann (acme, viewer) may only read.
 */
// The matrix runs first, while no other job of acme or globex can write to the store it compares.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantsIT {
    /** One of the images {@link #upload} puts in alice's dataset, by its path there. */
    private static final String IMAGE = SampleImages.CLASSES.get(0) + "/0.png";
    private static ApiClient alice;
    private static ApiClient bob;
    private static String dataset;
    private static String datasetLocation;
    private static String modelId;
    private static String jobId;

    @BeforeAll
    static void aliceTrainsAModel() {
        alice = stack().apiAs(DemoRealm.ALICE);
        bob = stack().apiAs(DemoRealm.BOB);
        JsonNode created = upload(alice, "acme-pets");
        dataset = created.get("id").asText();
        datasetLocation = created.get("location").asText();
        jobId = submit(alice, "{\"datasetId\": \"" + dataset + "\", \"epochs\": 2, \"batchSize\": 8,"
                + " \"hiddenUnits\": 16, \"seed\": 1, \"backbone\": " + TINY_DENSENET + "}");
        List<ApiClient.SseEvent> events = new ArrayList<>();
        alice.followEvents(jobId, events::add);
        JsonNode last = events.get(events.size() - 1).data();
        assertThat(last.path("type").asText()).as(last.toString()).isEqualTo("completed");
        modelId = last.get("modelId").asText();
    }

    @Test
    @Order(1)
    void everyEndpointAnswers404ForAnotherTenantsResourceAndChangesNothing() {
        Map<String, Integer> before = storeKeys();
        JsonNode jobBefore = alice.get("/v1/training-jobs/" + jobId).body();
        byte[] image = SampleImages.png(SampleImages.CLASSES.get(0), 500);

        Map<String, ApiClient.Answer> answers = new LinkedHashMap<>();
        answers.put("get job", bob.get("/v1/training-jobs/" + jobId));
        answers.put("job events", bob.send("GET", "/v1/training-jobs/" + jobId + "/events", null, null));
        answers.put("cancel job", bob.delete("/v1/training-jobs/" + jobId));
        answers.put("get dataset", bob.get("/v1/datasets/" + dataset));
        answers.put("dataset baselines", bob.get("/v1/datasets/" + dataset + "/baselines"));
        answers.put("delete dataset", bob.delete("/v1/datasets/" + dataset));
        answers.put("get model", bob.get("/v1/models/" + modelId));
        answers.put("predict", bob.postBytes("/v1/models/" + modelId + "/predictions", image, "image/png"));
        answers.put("model evaluation", bob.get("/v1/models/" + modelId + "/evaluation"));
        answers.put("model export", bob.get("/v1/models/" + modelId + "/export"));
        answers.put("dataset samples", bob.get("/v1/datasets/" + dataset + "/samples"));
        answers.put("dataset thumbnail", bob.get("/v1/datasets/" + dataset + "/thumbnails?path=" + IMAGE));
        answers.put("model thumbnail", bob.get("/v1/models/" + modelId + "/thumbnails?path=" + IMAGE));
        answers.put("batch-predict with its model", bob.postJson("/v1/models/" + modelId + "/batch-predictions",
                "{\"datasetId\": \"" + dataset + "\"}"));
        answers.put("train on its dataset id", bob.postJson("/v1/training-jobs", body("datasetId", dataset)));
        answers.put("train on its files", bob.postJson("/v1/training-jobs", body("dataset", datasetLocation)));
        // Sweeps: another tenant's dataset is as unknown to a sweep as to a training job, and a job is no sweep.
        answers.put("sweep its dataset id", bob.postJson("/v1/sweeps", sweepBody("datasetId", dataset)));
        answers.put("sweep its files", bob.postJson("/v1/sweeps", sweepBody("dataset", datasetLocation)));
        answers.put("get its job as a sweep", bob.get("/v1/sweeps/" + jobId));
        answers.put("its job's events as a sweep's", bob.send("GET", "/v1/sweeps/" + jobId + "/events", null, null));
        answers.put("cancel its job as a sweep", bob.delete("/v1/sweeps/" + jobId));
        answers.put("register its files", bob.postJson("/v1/datasets", "{\"location\": \"" + datasetLocation
                + "\"}"));
        for (String area : List.of("models/", "datasets/", "checkpoints/", "features/", "backbones/",
                "predictions/", "inference-payloads/",
                "s3://" + Stack.BUCKET + "/",
                "datasets/acme/", "s3://" + Stack.BUCKET + "/models/acme/")) {
            answers.put("train on '" + area + "'", bob.postJson("/v1/training-jobs", body("dataset", area)));
        }
        answers.forEach((what, answer) -> {
            assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(404);
            assertThat(answer.contentType()).as(what).startsWith("application/problem+json");
            assertThat(answer.body().toString()).as(what + " tells nothing of acme's keys")
                    .doesNotContain(modelId + "/").doesNotContain("manifest.json");
        });

        // The Open Inference Protocol answers in its own error shape, with the same status.
        String v2 = "{\"inputs\": [{\"name\": \"image\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\""
                + Base64.getEncoder().encodeToString(image) + "\"]}]}";
        for (ApiClient.Answer answer : List.of(bob.postJson("/v2/models/" + modelId + "/infer", v2),
                bob.get("/v2/models/" + modelId), bob.get("/v2/models/" + modelId + "/ready"))) {
            assertThat(answer.status()).as("v2: " + answer.body()).isEqualTo(404);
            assertThat(answer.body().toString()).doesNotContain(modelId + "/");
        }

        ApiClient.Answer dotDot = bob.postJson("/v1/training-jobs", body("dataset", "datasets/globex/../acme/"));
        assertThat(dotDot.status()).as("a '..' is a malformed location, whoever's it names").isEqualTo(400);

        assertThat(bob.get("/v1/training-jobs").body().get("items")).extracting(j -> j.get("id").asText())
                .doesNotContain(jobId);
        assertThat(bob.get("/v1/datasets").body()).extracting(d -> d.get("id").asText()).doesNotContain(dataset);
        assertThat(storeKeys()).as("nothing written, nothing deleted").isEqualTo(before);
        JsonNode jobAfter = alice.get("/v1/training-jobs/" + jobId).body();
        assertThat(jobAfter.get("state")).isEqualTo(jobBefore.get("state"));
        assertThat(RawKafka.published(jobId, "cancel-requested")).isZero();
        assertThat(alice.get("/v1/datasets/" + dataset).status()).isEqualTo(200);
        for (String own : List.of("/v1/datasets/" + dataset + "/samples",
                "/v1/datasets/" + dataset + "/thumbnails?path=" + IMAGE,
                "/v1/models/" + modelId + "/thumbnails?path=" + IMAGE)) {
            assertThat(alice.get(own).status()).as("alice's own " + own).isEqualTo(200);
        }
        assertThat(alice.postBytes("/v1/models/" + modelId + "/predictions", image, "image/png").status())
                .isEqualTo(200);
        System.out.printf("cross-tenant matrix: %d requests, all 404%n", answers.size());
    }

    @Test
    @Order(2)
    void tokensThatAreMissingExpiredForgedOrForAnotherAppAre401() throws Exception {
        KeycloakProcess keycloak = stack().keycloak().orElseThrow();
        String good = keycloak.accessToken(DemoRealm.ALICE);
        String expired = keycloak.tokens(KeycloakProcess.SHORT_LIVED_CLIENT)
                .accessToken(DemoRealm.ALICE.name(), DemoRealm.ALICE.password());
        String otherApp = keycloak.tokens(KeycloakProcess.OTHER_APP_CLIENT)
                .accessToken(DemoRealm.ALICE.name(), DemoRealm.ALICE.password());
        Map<String, ApiClient> callers = new LinkedHashMap<>();
        callers.put("no token", new ApiClient(stack().apiUrl()));
        callers.put("not a JWT", withToken("not-a-token"));
        callers.put("signed by another key", withToken(resigned(good)));
        callers.put("for another application", withToken(otherApp));
        assertThat(withToken(expired).get("/v1/datasets").status()).as("fresh").isEqualTo(200);
        // Its 2 s lifespan plus the API's 5 s grace for clock differences, and a margin.
        Thread.sleep(Duration.ofSeconds(9).toMillis());
        callers.put("expired", withToken(expired));

        callers.forEach((what, caller) -> {
            for (ApiClient.Answer answer : List.of(caller.get("/v1/training-jobs"),
                    caller.postJson("/v1/training-jobs", body("datasetId", dataset)),
                    caller.get("/v1/datasets/" + dataset))) {
                assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(401);
                assertThat(answer.contentType()).as(what).startsWith("application/problem+json");
            }
        });
        assertThat(withToken(good).get("/v1/training-jobs").status()).isEqualTo(200);
        ApiClient anonymous = new ApiClient(stack().apiUrl());
        assertThat(anonymous.get("/q/health/live").status()).as("health stays open").isEqualTo(200);
        assertThat(anonymous.get("/q/metrics").status()).as("metrics stay open").isEqualTo(200);
    }

    @Test
    @Order(3)
    void aViewerReadsButCannotChangeAndOnlyAnAdminNamesAnotherTenant() {
        ApiClient ann = stack().apiAs(DemoRealm.ANN);
        assertThat(ann.get("/v1/training-jobs/" + jobId).status()).isEqualTo(200);
        assertThat(ann.get("/v1/datasets/" + dataset).status()).isEqualTo(200);
        assertThat(ann.get("/v1/models/" + modelId).status()).isEqualTo(200);
        for (ApiClient.Answer refused : List.of(ann.postJson("/v1/training-jobs", body("datasetId", dataset)),
                ann.delete("/v1/datasets/" + dataset), ann.delete("/v1/training-jobs/" + jobId),
                ann.postBytes("/v1/models/" + modelId + "/predictions", new byte[] {1}, "image/png"),
                ann.postBytes("/v1/datasets", new byte[] {1}, "application/gzip"))) {
            assertThat(refused.status()).as(refused.body().toString()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        ApiClient.Answer bobAsAcme = bob.asTenant(DemoRealm.ACME).get("/v1/training-jobs");
        assertThat(bobAsAcme.status()).as(bobAsAcme.body().toString()).isEqualTo(403);
        ApiClient.Answer rootAsAcme = stack().apiAs(DemoRealm.ROOT).asTenant(DemoRealm.ACME)
                .get("/v1/training-jobs");
        assertThat(rootAsAcme.body().get("items")).extracting(j -> j.get("id").asText()).contains(jobId);
    }

    @Test
    @Order(5)
    void quotasRefuseWith429AndAFinishedJobFreesItsSlot() throws InterruptedException {
        // SharedStack gives globex 1 active job and 1 prediction per second.
        String bobs = upload(bob, "globex-pets").get("id").asText();
        String first = submit(bob, body("datasetId", bobs));
        ApiClient.Answer second = bob.postJson("/v1/training-jobs", body("datasetId", bobs));
        assertThat(second.status()).as(second.body().toString()).isEqualTo(429);
        assertThat(second.body().get("detail").asText()).contains("transferlab.quotas.active-jobs");
        assertThat(alice.postJson("/v1/training-jobs", body("datasetId", dataset)).status())
                .as("acme's quota is its own").isEqualTo(202);

        List<ApiClient.SseEvent> events = new ArrayList<>();
        bob.followEvents(first, events::add);
        String model = events.get(events.size() - 1).data().get("modelId").asText();
        awaitNotActive(first);
        assertThat(bob.postJson("/v1/training-jobs", body("datasetId", bobs)).status()).as("the slot is free")
                .isEqualTo(202);
        ApiClient.Answer batch = bob.postJson("/v1/models/" + model + "/batch-predictions",
                "{\"datasetId\": \"" + bobs + "\"}");
        assertThat(batch.status()).as("a batch prediction job is a job too: " + batch.body()).isEqualTo(429);

        byte[] image = SampleImages.png(SampleImages.CLASSES.get(1), 600);
        List<CompletableFuture<ApiClient.Answer>> burst = IntStream.range(0, 6).mapToObj(i -> CompletableFuture
                .supplyAsync(() -> bob.postBytes("/v1/models/" + model + "/predictions", image, "image/png")))
                .toList();
        List<ApiClient.Answer> answers = burst.stream().map(CompletableFuture::join).toList();
        assertThat(answers).extracting(ApiClient.Answer::status).contains(200, 429).containsOnly(200, 429);
    }

    @Test
    @Order(4)
    void whoChangedWhatIsKeptOnTheAuditTopic() {
        String cancelled = submit(alice, body("datasetId", dataset));
        int cancel = alice.delete("/v1/training-jobs/" + cancelled).status();
        assertThat(cancel).as("202, or 409 when it ended first").isIn(202, 409);
        List<JsonNode> audit = RawKafka.records(Topics.AUDIT).stream().map(r -> ApiClient.parse(r.value()))
                .filter(e -> e.path("actor").asText().equals(DemoRealm.ALICE.name())).toList();
        assertThat(audit).allSatisfy(e -> {
            assertThat(e.get("tenant").asText()).isEqualTo(DemoRealm.ACME);
            assertThat(e.get("timestamp").asText()).isNotBlank();
        });
        assertThat(audit).extracting(e -> e.get("action").asText() + " " + e.get("resource").asText())
                .contains("dataset.uploaded " + dataset, "training-job.submitted " + jobId,
                        "training-job.submitted " + cancelled);
        if (cancel == 202) {
            assertThat(audit).extracting(e -> e.get("action").asText() + " " + e.get("resource").asText())
                    .contains("training-job.cancelled " + cancelled);
        }
    }

    private static JsonNode upload(ApiClient client, String name) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < 8; i++) {
                files.put(label + "/" + i + ".png", SampleImages.png(label, 700 + i));
            }
        }
        ApiClient.Answer answer = client.postBytes("/v1/datasets?name=" + name, DatasetArchives.tarGz(files),
                "application/gzip");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
        return answer.body();
    }

    private static String submit(ApiClient client, String body) {
        ApiClient.Answer answer = client.postJson("/v1/training-jobs", body);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return answer.body().get("id").asText();
    }

    private static String body(String field, String value) {
        return "{\"" + field + "\": \"" + value + "\", \"epochs\": 1, \"batchSize\": 8, \"hiddenUnits\": 16,"
                + " \"backbone\": " + TINY_DENSENET + "}";
    }

    private static String sweepBody(String field, String value) {
        return "{\"base\": " + body(field, value) + ", \"space\": {\"learningRate\": {\"values\": [0.001]}},"
                + " \"strategy\": {\"type\": \"grid\"}, \"maxTrials\": 1}";
    }

    private static void awaitNotActive(String job) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            String state = bob.get("/v1/training-jobs/" + job).body().path("state").asText();
            if (!state.equals("queued") && !state.equals("running")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(job + " did not end");
    }

    /** Every key of acme's and globex's areas with its size, to show that a request changed nothing. */
    private static Map<String, Integer> storeKeys() {
        Map<String, Integer> keys = new LinkedHashMap<>();
        SharedStack.store().list(SharedStack.store().inDefaultBucket("")).stream()
                .filter(o -> o.key().contains("/" + DemoRealm.ACME + "/") || o.key().contains("/" + DemoRealm.GLOBEX
                        + "/"))
                .forEach(o -> keys.put(o.key(), o.size().intValue()));
        return keys;
    }

    private static ApiClient withToken(String token) {
        return new ApiClient(stack().apiUrl()).withTokens(() -> token);
    }

    /** The same header and claims, signed with a key the provider never had (and its key id kept). */
    private static String resigned(String token) throws Exception {
        String[] parts = token.split("\\.");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(generator.generateKeyPair().getPrivate());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
    }
}
