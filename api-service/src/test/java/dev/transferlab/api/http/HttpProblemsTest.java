package dev.transferlab.api.http;

import dev.transferlab.api.jobs.InMemoryMessaging;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and careless requests against the whole api-service (its channels in memory): each gets the documented
 * status as problem+json, naming the field where there is one, including errors raised before the REST layer runs.
 */
@QuarkusTest
@TestProfile(InMemoryMessaging.class)
class HttpProblemsTest {
    private static final String JOBS = "/v1/training-jobs";

    private static Response submit(String json) {
        return given().contentType("application/json").body(json).post(JOBS);
    }

    private static String fieldOf(Response r) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
        return r.jsonPath().getString("errors[0].field");
    }

    @Test
    void looseJsonIsRefusedNamingTheField() {
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"backbone\":{\"name\":\"densenet\","
                + "\"blockConfig\":[null,2]}}"))).isEqualTo("backbone.blockConfig[0]");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":2.7}"))).isEqualTo("epochs");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":\"3\"}"))).isEqualTo("epochs");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":99999999999}"))).isEqualTo("epochs");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"preprocessing\":{\"normalize\":\"false\"}}")))
                .isEqualTo("preprocessing.normalize");
        assertThat(fieldOf(submit("{\"dataset\":7}"))).isEqualTo("dataset");
        Response typo = submit("{\"dataset\":\"datasets/default/d/\",\"epoch\":3}");
        assertThat(fieldOf(typo)).isEqualTo("epoch");
        assertThat(typo.jsonPath().getString("errors[0].message")).startsWith("is not a field here")
                .contains("epochs");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"backbone\":{\"name\":\"densenet\","
                + "\"growthrate\":2}}"))).isEqualTo("backbone.growthrate");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":5000}"))).isEqualTo("epochs");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"validationFraction\":0.5,"
                + "\"testFraction\":0.5}"))).isEqualTo("testFraction");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":3,\"epochs\":4}"))).isNull();
        assertThat(fieldOf(given().contentType("application/json").body("{\"location\":\"s3://b/d/\","
                + "\"nmae\":\"x\"}").post("/v1/datasets"))).isEqualTo("nmae");
    }

    @Test
    void aBackboneOverTheBudgetIsRefusedAndTorchvisionsDenseNetsAreAccepted() {
        Response hostile = submit("{\"dataset\":\"datasets/default/d/\",\"backbone\":{\"name\":\"densenet\",\"growthRate\":128,"
                + "\"blockConfig\":[64,64,64,64,64],\"numInitFeatures\":256,\"bnSize\":8}}");
        assertThat(fieldOf(hostile)).isEqualTo("backbone");
        assertThat(hostile.jsonPath().getString("detail")).contains("parameters; at most 32,000,000");
        assertThat(fieldOf(submit("{\"dataset\":\"datasets/default/d/\",\"backbone\":{\"name\":\"densenet\","
                + "\"blockConfig\":[1,1,1,1,1,1,1]}}"))).isEqualTo("backbone.blockConfig");

        for (String blocks : new String[] {"[6,12,24,16]", "[6,12,32,32]", "[6,12,48,32]"}) {
            Response ok = submit("{\"dataset\":\"datasets/default/d/\",\"epochs\":1,\"backbone\":{\"name\":\"densenet\","
                    + "\"blockConfig\":" + blocks + "}}");
            assertThat(ok.statusCode()).as(ok.asString()).isEqualTo(202);
        }
    }

    @Test
    void aPathOrHeaderThatBreaksTheIdRuleIsNotFoundOrBadRequest() {
        for (String path : new String[] {JOBS + "/..%2F..%2Fmodels", JOBS + "/Job.1", JOBS + "/job-1%00",
                "/v1/models/..%2Fother%2Fjob-1", "/v1/models/m.1", "/v1/datasets/ds-1.x"}) {
            Response r = given().get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.contentType()).as(path).startsWith(Problem.MEDIA_TYPE);
        }
        assertThat(given().delete(JOBS + "/..%2Fx").statusCode()).isEqualTo(404);
        assertThat(given().contentType("image/png").body(new byte[] {1}).post("/v1/models/a..b/predictions")
                .statusCode()).isEqualTo(404);
        Response tenant = given().header(dev.transferlab.api.auth.Caller.TENANT_HEADER, "../acme").get(JOBS);
        assertThat(tenant.statusCode()).isEqualTo(400);
        assertThat(tenant.contentType()).startsWith(Problem.MEDIA_TYPE);
    }

    @Test
    void errorsTheFrameworkRaisesAreProblemJsonToo() throws IOException {
        Response multipart = given().header("Content-Type", "multipart/form-data; boundary=x")
                .body("not a multipart body".getBytes(StandardCharsets.UTF_8)).post("/v1/datasets");
        assertThat(multipart.statusCode()).as(multipart.asString()).isEqualTo(400);
        assertThat(multipart.contentType()).startsWith(Problem.MEDIA_TYPE);

        Response unsupported = given().contentType("text/plain").body("x").post(JOBS);
        assertThat(unsupported.statusCode()).isEqualTo(415);
        assertThat(unsupported.contentType()).startsWith(Problem.MEDIA_TYPE);
        Response notAllowed = given().contentType("application/json").body("{}").put(JOBS);
        assertThat(notAllowed.statusCode()).isEqualTo(405);
        assertThat(notAllowed.contentType()).startsWith(Problem.MEDIA_TYPE);
        Response notFound = given().get("/v1/no-such-thing");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith(Problem.MEDIA_TYPE);
        Response malformed = submit("{\"dataset\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("detail")).startsWith("malformed JSON");
        // Found by StrictJsonFuzzTest: bytes Jackson takes for UTF-32 and cannot decode.
        Response utf32 = given().contentType("application/json")
                .body(java.util.Base64.getDecoder().decode("AAAAAAAAABZ0IjgzInMvOmNoIjozfQ==")).post(JOBS);
        assertThat(utf32.statusCode()).as(utf32.asString()).isEqualTo(400);
        assertThat(utf32.contentType()).startsWith(Problem.MEDIA_TYPE);

        HttpURLConnection chunked = (HttpURLConnection) URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + JOBS).toURL().openConnection();
        chunked.setRequestMethod("POST");
        chunked.setDoOutput(true);
        chunked.setChunkedStreamingMode(64 * 1024);
        chunked.setRequestProperty("Content-Type", "application/json");
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        try (OutputStream out = chunked.getOutputStream()) {
            for (int i = 0; i < 9 * 16; i++) { // 9 MB of whitespace, over the 8M limit
                out.write(chunk);
            }
        } catch (IOException closedByTheServer) {
            // expected once the limit is passed: the answer is still there to read
        }
        assertThat(chunked.getResponseCode()).isEqualTo(413);
        assertThat(chunked.getContentType()).startsWith(Problem.MEDIA_TYPE);
        try (InputStream body = chunked.getErrorStream()) {
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("\"status\":413");
        }
    }
}
