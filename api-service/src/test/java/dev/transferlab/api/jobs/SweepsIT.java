package dev.transferlab.api.jobs;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v1/sweeps} against the whole api-service (real broker and S3 server), with no worker: what it accepts. */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class SweepsIT {
    private static final String SWEEPS = "/v1/sweeps";
    private static final String BASE = "\"base\":{\"dataset\":\"datasets/default/d/\",\"epochs\":4}";

    private static Response submit(String json) {
        return given().contentType("application/json").body(json).post(SWEEPS);
    }

    private static Response refused(String json) {
        Response r = submit(json);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
        return r;
    }

    @Test
    void aSweepIsAcceptedAsAJobThatOnlyTheSweepEndpointsShowAndIsCancelledLikeOne() {
        Response accepted = submit("{" + BASE + ",\"space\":{\"learningRate\":{\"min\":1e-4,\"max\":1e-1,"
                + "\"log\":true},\"hiddenUnits\":{\"values\":[64,128]}},\"strategy\":{\"type\":\"random\",\"seed\":3},"
                + "\"maxTrials\":12,\"metric\":\"validation-accuracy\"}");

        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String id = accepted.jsonPath().getString("id");
        assertThat(id).startsWith("sweep-");
        assertThat(accepted.header("Location")).endsWith(SWEEPS + "/" + id);
        Response view = given().get(SWEEPS + "/" + id);
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.jsonPath().getString("state")).isEqualTo("queued");
        assertThat(view.jsonPath().getInt("maxTrials")).isEqualTo(12);
        assertThat(view.jsonPath().getString("metric")).isEqualTo("validation-accuracy");
        assertThat(view.jsonPath().getInt("base.epochs")).isEqualTo(4);
        assertThat(view.jsonPath().getList("trials")).isEmpty();
        assertThat(given().get(SWEEPS).jsonPath().getList("items.id")).contains(id);
        assertThat(given().get("/v1/training-jobs/" + id).statusCode()).isEqualTo(404);
        assertThat(given().get("/v1/training-jobs").jsonPath().getList("items.id")).doesNotContain(id);

        Response cancelled = given().delete(SWEEPS + "/" + id);
        assertThat(cancelled.statusCode()).as(cancelled.asString()).isEqualTo(202);
        assertThat(cancelled.jsonPath().getBoolean("cancelRequested")).isTrue();
        assertThat(given().get(SWEEPS + "/job-that-is-none").statusCode()).isEqualTo(404);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheSameSweepAndAnotherBodyUnderItAConflict() {
        String body = "{" + BASE + ",\"space\":{\"batchSize\":{\"values\":[32,64]}},\"strategy\":{\"type\":\"grid\"},"
                + "\"maxTrials\":2}";
        Response first = given().header("Idempotency-Key", "sweep-key-1").contentType("application/json").body(body)
                .post(SWEEPS);
        Response again = given().header("Idempotency-Key", "sweep-key-1").contentType("application/json").body(body)
                .post(SWEEPS);
        Response other = given().header("Idempotency-Key", "sweep-key-1").contentType("application/json")
                .body(body.replace("[32,64]", "[16,64]")).post(SWEEPS);

        assertThat(first.statusCode()).as(first.asString()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.jsonPath().getString("id")).isEqualTo(first.jsonPath().getString("id"));
        assertThat(other.statusCode()).isEqualTo(409);
    }

    @Test
    void badSearchSpacesAreRefusedBeforeTheyAreQueuedNamingTheFieldToChange() {
        String grid = ",\"strategy\":{\"type\":\"grid\"},\"maxTrials\":4}";
        Response unknown = refused("{" + BASE + ",\"space\":{\"learnignRate\":{\"values\":[0.1]}}" + grid);
        assertThat(unknown.jsonPath().getString("errors[0].field")).isEqualTo("space.learnignRate");
        assertThat(unknown.jsonPath().getString("errors[0].message")).contains("learningRate");
        assertThat(refused("{" + BASE + ",\"space\":{\"hiddenUnits\":{\"values\":[]}}" + grid)
                .jsonPath().getString("errors[0].field")).isEqualTo("space.hiddenUnits.values");
        assertThat(refused("{" + BASE + ",\"space\":{\"learningRate\":{\"min\":0.1,\"max\":0.01,\"steps\":2}}" + grid)
                .jsonPath().getString("errors[0].field")).isEqualTo("space.learningRate");
        Response outOfRange = refused("{" + BASE + ",\"space\":{\"learningRate\":{\"values\":[0.01,20]}}" + grid);
        assertThat(outOfRange.jsonPath().getString("errors[0].field")).isEqualTo("space.learningRate");
        assertThat(outOfRange.jsonPath().getString("errors[0].message")).contains("trial 1", "at most 10.0");
        assertThat(refused("{" + BASE + ",\"space\":{\"batchSize\":{\"values\":[1,2,3,4,5]}}" + grid)
                .jsonPath().getString("errors[0].field")).isEqualTo("maxTrials");
        assertThat(refused("{" + BASE + ",\"space\":{\"batchSize\":{\"values\":[1]}},\"strategy\":{\"type\":"
                + "\"annealing\"},\"maxTrials\":4}").jsonPath().getString("errors[0].field")).startsWith("strategy");
        assertThat(refused("{\"space\":{\"batchSize\":{\"values\":[1]}}" + grid).jsonPath()
                .getString("errors[0].field")).isEqualTo("base");
        assertThat(refused("{" + BASE + ",\"space\":{\"batchSize\":{\"values\":[1]}},\"strategy\":{\"type\":"
                + "\"grid\"},\"maxTrials\":4,\"metric\":\"test-accuracy\"}").jsonPath().getString("errors[0].field"))
                .isEqualTo("metric");
        assertThat(given().get(SWEEPS).jsonPath().getList("items.space.learnignRate")).allMatch(x -> x == null);
    }
}
