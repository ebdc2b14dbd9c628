package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.Caller;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.api.auth.Roles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.security.oidc.Claim;
import io.quarkus.test.security.oidc.OidcSecurity;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A training job over HTTP with the workers' side played through the in-memory channels: what a submission writes
 * for the workers, and what GET answers as their events come in.
 */
@QuarkusTest
@TestProfile(InMemoryMessaging.class)
class JobsOverHttpTest {
    static final String JOBS = "/v1/training-jobs";

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    JobProjection projection;

    private InMemoryWorker worker;

    @BeforeEach
    void worker() {
        worker = new InMemoryWorker(connector);
    }

    /** Submits a job of the default tenant and returns its id. */
    static String submit() {
        return submit("default");
    }

    static String submit(String tenant) {
        Response accepted = given().contentType("application/json")
                .body("{\"dataset\":\"datasets/" + tenant + "/d/\",\"epochs\":2}").post(JOBS);
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        return accepted.jsonPath().getString("id");
    }

    static Response job(String id) {
        return given().get(JOBS + "/" + id);
    }

    @Test
    void aSubmissionWritesTheAcceptedEventThenTheCommandForTheWorkersAndIsQueued() {
        Response accepted = given().contentType("application/json")
                .body("{\"dataset\":\"datasets/default/d/\",\"epochs\":3}").post(JOBS);

        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String id = accepted.jsonPath().getString("id");
        assertThat(accepted.header("Location")).endsWith(JOBS + "/" + id);
        assertThat(worker.written(id)).extracting(InMemoryWorker.Written::topic)
                .containsExactly(Topics.TRAINING_EVENTS, Topics.TRAINING_REQUESTS);
        assertThat(worker.written(id).get(0).value()).contains("\"type\":\"accepted\"");
        assertThat(worker.written(id).get(1).value()).contains("\"jobId\":\"" + id + "\"").contains("\"epochs\":3");
        Response view = job(id);
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.jsonPath().getString("state")).isEqualTo("queued");
        assertThat(given().get(JOBS).jsonPath().getList("items.id")).contains(id);
    }

    @Test
    void theWorkersEventsMoveTheJobOnToCompleted() {
        String id = submit();

        worker.started(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(job(id).jsonPath().getString("state")));
        worker.epoch(id, 1, 2, 0);
        worker.completed(id);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "completed".equals(job(id).jsonPath().getString("state")));
        Response view = job(id);
        assertThat(view.jsonPath().getString("modelId")).isEqualTo("model-" + id);
        assertThat(view.jsonPath().getInt("events")).isEqualTo(4);
        assertThat(given().queryParam("state", "completed").get(JOBS).jsonPath().getList("items.id")).contains(id);
        Response cancel = given().delete(JOBS + "/" + id);
        assertThat(cancel.statusCode()).isEqualTo(409);
        assertThat(cancel.contentType()).startsWith(Problem.MEDIA_TYPE);
    }

    @Test
    void aCancellationIsWrittenForTheWorkersAndShownOnTheJob() {
        String id = submit();

        Response cancel = given().delete(JOBS + "/" + id);

        assertThat(cancel.statusCode()).as(cancel.asString()).isEqualTo(202);
        assertThat(cancel.jsonPath().getBoolean("cancelRequested")).isTrue();
        assertThat(worker.written(id)).extracting(InMemoryWorker.Written::topic).containsExactly(
                Topics.TRAINING_EVENTS, Topics.TRAINING_REQUESTS, Topics.TRAINING_EVENTS, Topics.TRAINING_CONTROL);
        assertThat(job(id).jsonPath().getBoolean("cancelRequested")).isTrue();
    }

    @Test
    @TestSecurity(user = "alice", roles = {Roles.TRAINER, Roles.VIEWER})
    @OidcSecurity(claims = @Claim(key = "tenant", value = "acme"))
    void anotherTenantsJobIsNotFoundAsAnUnknownOneIs() {
        String id = "job-" + UUID.randomUUID();
        worker.accepted(id, "default");
        await().atMost(Duration.ofSeconds(10)).until(() -> projection.view(id).isPresent());
        String theirs = submit("acme");

        Response other = job(id);
        Response unknown = job("job-that-is-none");

        for (Response r : new Response[] {other, unknown}) {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
            assertThat(r.jsonPath().getString("type")).isEqualTo("about:blank");
            assertThat(r.jsonPath().getString("title")).isEqualTo("Not Found");
            assertThat(r.jsonPath().getInt("status")).isEqualTo(404);
        }
        assertThat(other.jsonPath().getString("detail")).isEqualTo("no training job with id '" + id + "'");
        assertThat(given().delete(JOBS + "/" + id).statusCode()).isEqualTo(404);
        assertThat(given().get(JOBS).jsonPath().getList("items.id")).containsExactly(theirs);
        Response header = given().header(Caller.TENANT_HEADER, "default").get(JOBS);
        assertThat(header.statusCode()).isEqualTo(403);
        assertThat(header.jsonPath().getString("detail")).contains("only for the admin role");
    }
}
