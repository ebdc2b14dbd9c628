package dev.transferlab.api.models;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the prediction endpoints decide before any worker is asked: the bound on images per request, and the Open
 * Inference Protocol's health, metadata and errors. deploy/stack's ServingProtocolsIT predicts through a real worker.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class ServingEndpointsIT {
    private static final String TENANT = "default";
    private static final byte[] PNG_HEADER = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Inject
    ObjectStore store;

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
        // Ready once the reply consumer has its partitions, as /q/health/ready.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Response ready = given().get("/v2/health/ready");
        while (ready.statusCode() != 200 && Instant.now().isBefore(deadline)) {
            assertThat(ready.statusCode()).isEqualTo(400);
            assertThat(ready.jsonPath().getBoolean("ready")).isFalse();
            Thread.sleep(200);
            ready = given().get("/v2/health/ready");
        }
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.jsonPath().getBoolean("ready")).isTrue();
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
