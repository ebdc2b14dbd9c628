package dev.transferlab.api.models;

import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prediction endpoints' own part, with a scripted worker on the real broker where one must answer: the bound on
 * images per request and their order, the Open Inference Protocol's endpoints, and the claim check of large images.
 * deploy/stack's ServingProtocolsIT predicts the same through a real worker.
 */
@QuarkusTest
@QuarkusTestResource(value = InferenceTopicsResource.class, restrictToAnnotatedClass = true)
class ServingEndpointsIT {
    private static final String TENANT = "default";
    private static final byte[] PNG_HEADER = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeEach
    void models() {
        TestModels.put(store, TENANT, "pets", BackboneSpec.densenet121(), List.of("cat", "dog", "fox"));
        TestModels.put(store, "other", "theirs", BackboneSpec.densenet121(), List.of("a", "b"));
    }

    @Test
    void moreImagesThanTheLimitAre413NamingIt() {
        RequestSpecification request = given();
        for (int i = 0; i < 33; i++) {
            request = request.multiPart("images", i + ".png", PNG_HEADER, "image/png");
        }
        Response answer = request.post("/v1/models/pets/predictions");

        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(413);
        assertThat(answer.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(answer.jsonPath().getString("detail")).contains("33 images").contains("limit is 32")
                .contains("transferlab.inference.max-images-per-request");
    }

    @Test
    void aFormNeedsImageOrImages() {
        Response neither = given().multiPart("picture", "a.png", PNG_HEADER, "image/png")
                .post("/v1/models/pets/predictions");
        assertThat(neither.statusCode()).as(neither.asString()).isEqualTo(400);
        assertThat(neither.jsonPath().getString("detail")).contains("'image'").contains("'images'");
    }

    @Test
    void manyImagesOfAnotherTenantsModelAre404() {
        Response answer = given().multiPart("images", "a.png", PNG_HEADER, "image/png")
                .post("/v1/models/theirs/predictions");
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(404);
    }

    @Test
    void serverMetadataAndHealthAreOpenInferenceShaped() throws InterruptedException {
        Response server = given().get("/v2");
        assertThat(server.statusCode()).isEqualTo(200);
        assertThat(server.jsonPath().getString("name")).isEqualTo("transferlab-api");
        assertThat(server.jsonPath().getList("extensions")).isEmpty();
        assertThat(given().get("/v2/health/live").then().statusCode(200).extract().jsonPath().getBoolean("live"))
                .isTrue();
        Response ready = awaitReady();
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.jsonPath().getBoolean("ready")).isTrue();
    }

    /** Ready once the reply consumer has its partitions, as /q/health/ready; not ready is 400 {"ready": false}. */
    private static Response awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        Response ready = given().get("/v2/health/ready");
        while (ready.statusCode() != 200 && Instant.now().isBefore(deadline)) {
            assertThat(ready.statusCode()).as(ready.asString()).isEqualTo(400);
            assertThat(ready.jsonPath().getBoolean("ready")).isFalse();
            Thread.sleep(200);
            ready = given().get("/v2/health/ready");
        }
        return ready;
    }

    private ScriptedWorker worker(java.util.function.Function<InferenceRequest, InferenceResult> answer)
            throws InterruptedException {
        ScriptedWorker worker = new ScriptedWorker(bootstrap, answer);
        assertThat(awaitReady().statusCode()).as("the api can hear replies").isEqualTo(200);
        return worker;
    }

    @Test
    void modelMetadataDescribesTheTensors() {
        Response model = given().get("/v2/models/pets");

        assertThat(model.statusCode()).as(model.asString()).isEqualTo(200);
        assertThat(model.jsonPath().getString("name")).isEqualTo("pets");
        assertThat(model.jsonPath().getString("platform")).isEqualTo("transferlab_djl_pytorch");
        assertThat(model.jsonPath().getList("inputs")).containsExactly(
                Map.of("name", "image", "datatype", "BYTES", "shape", List.of(-1)));
        assertThat(model.jsonPath().getList("outputs")).containsExactly(
                Map.of("name", "probabilities", "datatype", "FP32", "shape", List.of(-1, 3)),
                Map.of("name", "labels", "datatype", "BYTES", "shape", List.of(-1)));
        Response ready = given().get("/v2/models/pets/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.jsonPath().getMap("")).isEqualTo(Map.of("name", "pets", "ready", true));
    }

    @Test
    void errorsAreTheProtocolsErrorObjectWithTheRightStatus() {
        String text = Base64.getEncoder().encodeToString("not an image".getBytes(StandardCharsets.UTF_8));
        assertError(given().get("/v2/models/nope"), 404, "no model with id 'nope'");
        assertError(given().get("/v2/models/theirs/ready"), 404, "no model with id 'theirs'");
        assertError(infer("theirs", input("image", "BYTES", "[1]", "[\"" + text + "\"]")), 404, "'theirs'");
        assertError(given().get("/v2/models/pets/versions"), 404, null);
        assertError(given().body("{\"inputs\": [").post("/v2/models/pets/infer"), 400, null);
        assertError(given().body("{\"inputs\": [], \"colour\": 1}").post("/v2/models/pets/infer"), 400, "colour");
        assertError(infer("pets", input("pixels", "BYTES", "[1]", "[\"" + text + "\"]")), 400, "unknown input");
        assertError(infer("pets", input("image", "FP32", "[1]", "[1.0]")), 400, "datatype BYTES");
        assertError(infer("pets", input("image", "BYTES", "[2]", "[\"" + text + "\"]")), 400, "shape [2]");
        assertError(infer("pets", input("image", "BYTES", "[1]", "[\"***\"]")), 400, "not base64");
        assertError(infer("pets", input("image", "BYTES", "[1]", "[\"" + text + "\"]")
                .replace("}]}", "}], \"outputs\": [{\"name\": \"logits\"}]}")), 400, "unknown output 'logits'");
        assertError(infer("pets", input("image", "BYTES", "[1]", "[\"" + text + "\"]")), 415, "not a JPEG or PNG");
    }

    @Test
    void aRequestOfManyImagesAnswersEachInOrderAndFailsOnlyTheBadOne() throws Exception {
        byte[] first = noisyPng(20, 1);
        byte[] third = noisyPng(30, 2);
        // Each answer names its image by size, so an answer in the wrong place shows.
        try (ScriptedWorker worker = worker(r -> InferenceResult.success(r,
                List.of(new InferenceResult.Prediction("bytes-" + r.image().length, 1.0))))) {
            Response answer = given().multiPart("images", "1.png", first, "image/png")
                    .multiPart("images", "notes.txt", "not an image".getBytes(StandardCharsets.UTF_8), "text/plain")
                    .multiPart("images", "3.png", third, "image/png")
                    .post("/v1/models/pets/predictions");

            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
            List<Map<String, Object>> results = answer.jsonPath().getList("results");
            assertThat(results).hasSize(3);
            assertThat(results.get(0)).containsEntry("modelId", "pets").containsEntry("label", "bytes-" + first.length)
                    .doesNotContainKey("status");
            assertThat(results.get(1)).containsOnlyKeys("status", "title", "detail").containsEntry("status", 415);
            assertThat((String) results.get(1).get("detail")).contains("not a JPEG or PNG");
            assertThat(results.get(2)).containsEntry("label", "bytes-" + third.length);
            assertThat(worker.requests).as("one request per good image").hasSize(2);
        }
    }

    @Test
    void inferAnswersProbabilitiesInTheManifestsClassOrder() throws Exception {
        String image = Base64.getEncoder().encodeToString(noisyPng(20, 3));
        try (ScriptedWorker worker = worker(r -> InferenceResult.success(r, List.of(
                new InferenceResult.Prediction("dog", 0.625), new InferenceResult.Prediction("fox", 0.25),
                new InferenceResult.Prediction("cat", 0.125))))) {
            Response answer = infer("pets", input("image", "BYTES", "[1]", "[\"" + image + "\"]"));

            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
            assertThat(answer.jsonPath().getString("model_name")).isEqualTo("pets");
            assertThat(answer.jsonPath().getString("id")).isEqualTo("r1");
            assertThat(answer.jsonPath().getList("outputs")).containsExactly(
                    Map.of("name", "probabilities", "datatype", "FP32", "shape", List.of(1, 3),
                            "data", List.of(0.125f, 0.625f, 0.25f)),
                    Map.of("name", "labels", "datatype", "BYTES", "shape", List.of(1), "data", List.of("dog")));
            Response labelsOnly = infer("pets", input("image", "BYTES", "[1, 1]", "[[\"" + image + "\"]]")
                    .replace("}]}", "}], \"outputs\": [{\"name\": \"labels\"}]}"));
            assertThat(labelsOnly.jsonPath().getList("outputs.name")).containsExactly("labels");
        }
    }

    @Test
    void aLargeImageTravelsByReferenceAndIsDeletedOnceAnswered() throws Exception {
        byte[] large = noisyPng(400, 4);
        byte[] small = noisyPng(40, 5);
        assertThat(large.length).isGreaterThan(256 * 1024);
        assertThat(small.length).isLessThan(256 * 1024);
        Map<String, byte[]> payloads = new ConcurrentHashMap<>();
        try (ScriptedWorker worker = worker(r -> {
            if (r.imageKey() != null) {
                store.get(store.inDefaultBucket(r.imageKey())).ifPresent(b -> payloads.put(r.imageKey(), b));
            }
            return InferenceResult.success(r, List.of(new InferenceResult.Prediction("cat", 1.0)));
        })) {
            Response answer = given().contentType("image/png").body(large).post("/v1/models/pets/predictions");
            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
            Response inline = given().contentType("image/png").body(small).post("/v1/models/pets/predictions");
            assertThat(inline.statusCode()).as(inline.asString()).isEqualTo(200);

            InferenceRequest byReference = worker.requests.get(0);
            assertThat(byReference.image()).isNull();
            assertThat(byReference.imageKey()).isEqualTo(StorageLayout.inferencePayload(TENANT,
                    byReference.requestId()));
            assertThat(payloads.get(byReference.imageKey())).as("in storage while the worker answers")
                    .isEqualTo(large);
            assertThat(worker.requests.get(1).image()).isEqualTo(small);
            assertThat(worker.requests.get(1).imageKey()).isNull();
            Instant deadline = Instant.now().plusSeconds(10);
            while (store.exists(store.inDefaultBucket(byReference.imageKey())) && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(store.list(store.inDefaultBucket("inference-payloads/"))).as("nothing left behind").isEmpty();
        }
    }

    /** Random pixels, which PNG cannot compress: about 3 bytes a pixel. */
    private static byte[] noisyPng(int side, long seed) throws IOException {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static String input(String name, String datatype, String shape, String data) {
        return "{\"id\": \"r1\", \"inputs\": [{\"name\": \"%s\", \"datatype\": \"%s\", \"shape\": %s, \"data\": %s}]}"
                .formatted(name, datatype, shape, data);
    }

    private static Response infer(String model, String body) {
        return given().body(body).post("/v2/models/" + model + "/infer");
    }

    private static void assertError(Response response, int status, String detail) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        Map<String, Object> body = response.jsonPath().getMap("");
        assertThat(body).containsOnlyKeys("error");
        if (detail != null) {
            assertThat((String) body.get("error")).contains(detail);
        }
    }
}
