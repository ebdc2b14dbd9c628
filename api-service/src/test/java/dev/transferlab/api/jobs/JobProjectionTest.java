package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every kind of record the events topic may hold that does not fit the projection: each is refused with a reason
 * (which the consumer dead-letters), and the job store, a real PostgreSQL, goes on as if it had never come.
 */
class JobProjectionTest {
    static EmbeddedPostgres postgres;
    private static final String OTHER_REQUEST = Messages.toJson(TrainingRequest.of("job-x", "default", "s3://b/d/",
            BackboneSpec.densenet121(), Hyperparameters.defaults()));

    JobProjection projection;

    /** A running job and a completed one, which no bad record may disturb. */
    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresResource.startServer();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void twoJobs() {
        projection = new JobProjection(new JobStore(EmbeddedPostgresResource.migrated(postgres)), 16);
        for (String job : List.of("running", "done")) {
            projection.apply(TrainingEvent.builder(job, "default", TrainingEventType.ACCEPTED)
                    .request(TrainingRequest.of(job, "default", "s3://b/" + job + "/", BackboneSpec.densenet121(),
                            Hyperparameters.defaults())).build());
            projection.apply(TrainingEvent.builder(job, "default", TrainingEventType.STARTED).build());
        }
        projection.apply(TrainingEvent.builder("done", "default", TrainingEventType.COMPLETED)
                .model("done", java.util.Map.of(), 1).build());
    }

    static List<String> unfitRecords() {
        return List.of(
                "not json {",
                "",
                "null",
                "[1, 2]",
                "{}",
                event(-1, "epoch-completed", "e1", "running", "default", ""),
                event(2, "started", "e2", "running", "default", ""),
                event(1, "exploded", "e3", "running", "default", ""),
                event(1, null, "e4", "running", "default", ""),
                event(1, "started", null, "running", "default", ""),
                event(1, "started", " ", "running", "default", ""),
                event(1, "started", "e5", null, "default", ""),
                event(1, "started", "e6", "running", null, ""),
                "{\"schemaVersion\": 1, \"type\": \"started\", \"eventId\": \"e7\", \"jobId\": \"running\", "
                        + "\"tenant\": \"default\"}",
                // What was seen: an epoch-completed with no metrics, for a job nobody accepted.
                event(1, "epoch-completed", "e8", "ghost", "default", ""),
                event(1, "epoch-completed", "e9", "running", "default", ""),
                event(1, "epoch-completed", "e10", "running", "default", ", \"metrics\": null"),
                event(1, "epoch-completed", "e11", "running", "default",
                        ", \"metrics\": {\"epoch\": null, \"epochs\": null, \"trainLoss\": null}"),
                event(1, "epoch-completed", "e12", "running", "default",
                        ", \"metrics\": {\"epoch\": 7, \"epochs\": 3}"),
                event(1, "epoch-completed", "e13", "running", "default",
                        ", \"metrics\": {\"epoch\": 1e30, \"epochs\": 3}"),
                event(1, "epoch-completed", "e14", "running", "default",
                        ", \"metrics\": {\"epoch\": \"one\", \"epochs\": 3}"),
                event(1, "completed", "e15", "ghost", "default", ""),
                event(1, "started", "e16", "done", "default", ""),
                event(1, "failed", "e17", "done", "default", ", \"reason\": \"late\""),
                event(1, "started", "e18", "running", "someone-else", ""),
                event(1, "accepted", "e19", "fresh", "default", ""),
                event(1, "accepted", "e20", "fresh", "default", ", \"request\": null"),
                event(1, "accepted", "e21", "fresh", "default", ", \"request\": " + OTHER_REQUEST),
                event(1, "accepted", "e22", "running", "default", ", \"request\": " + OTHER_REQUEST
                        .replace("job-x", "running")),
                event(1, "resumed", "e23", "running", "default", ""),
                event(1, "started", "e24", "running", "default", "").replace("2024-01-01T00:00:00Z",
                        "+9999999999-01-01T00:00:00Z"),
                event(1, "started", "e26", "running", "default", "").replace("\"2024-01-01T00:00:00Z\"", "null"));
    }

    @ParameterizedTest
    @MethodSource("unfitRecords")
    void aRecordThatDoesNotFitIsRefusedWithAReasonAndChangesNothing(String record) {
        JobView running = projection.view("running").orElseThrow();
        JobView done = projection.view("done").orElseThrow();

        assertThatThrownBy(() -> projection.apply(Messages.fromJson(record, TrainingEvent.class)))
                .isInstanceOfAny(Messages.MalformedMessageException.class, UnfitEventException.class)
                .hasMessageNotContaining("NullPointerException").message().isNotBlank();

        assertThat(projection.view("running")).contains(running);
        assertThat(projection.view("done")).contains(done);
        assertThat(listed()).extracting(JobView::id)
                .containsExactlyInAnyOrder("running", "done");
        assertThat(projection.view("ghost")).isEmpty();
        assertThat(projection.view("fresh")).isEmpty();
        // And the next good event is applied as usual.
        projection.apply(TrainingEvent.builder("running", "default", TrainingEventType.FAILED).reason("r").build());
        assertThat(projection.view("running").orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @ParameterizedTest
    @MethodSource("unfitRecords")
    void aRefusedRecordNamesWhatIsWrong(String record) {
        assertThatThrownBy(() -> projection.apply(Messages.fromJson(record, TrainingEvent.class)))
                .satisfies(e -> assertThat(e.getMessage()).matches("(?s).*(JSON|schema version|schemaVersion|TrainingEvent|"
                        + "has no '|never accepted|accepted already|tenant|ended|epoch|request of another).*"));
    }

    @org.junit.jupiter.api.Test
    void hugeValuesThatStillFitAreAppliedAndTheJobStillLists() {
        projection.apply(Messages.fromJson(event(1, "started", "e25", "running", "default",
                ", \"message\": \"" + "x".repeat(1 << 20) + "\"").replace("\"2024-01-01T00:00:00Z\"", "1e300"),
                TrainingEvent.class));
        projection.apply(Messages.fromJson(event(1, "epoch-completed", "e26", "running", "default",
                ", \"metrics\": {\"epoch\": 2147483647, \"epochs\": 2147483647, \"trainLoss\": 1e308}"),
                TrainingEvent.class));

        assertThat(listed()).hasSize(2);
        assertThat(Messages.toJson(projection.view("running").orElseThrow())).contains("2147483647");
    }

    @org.junit.jupiter.api.Test
    void aCancellationThatCrossesTheJobsEndChangesNothing() {
        JobView done = projection.view("done").orElseThrow();
        projection.apply(TrainingEvent.builder("done", "default", TrainingEventType.CANCEL_REQUESTED).build());
        assertThat(projection.view("done").orElseThrow().state()).isEqualTo(done.state());
    }

    private List<JobView> listed() {
        return projection.store().page(new JobPages.Query("default", JobKind.TRAINING, null, null, null), 0, 100)
                .items();
    }

    private static String event(int version, String type, String eventId, String jobId, String tenant, String more) {
        return "{\"schemaVersion\": " + version + ", \"type\": " + quoted(type) + ", \"eventId\": " + quoted(eventId)
                + ", \"jobId\": " + quoted(jobId) + ", \"tenant\": " + quoted(tenant)
                + ", \"timestamp\": \"2024-01-01T00:00:00Z\"" + more + "}";
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
