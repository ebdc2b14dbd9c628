package dev.transferlab.api.jobs;

import dev.transferlab.api.jobs.SseClient.Event;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.transferlab.api.jobs.JobsOverHttpTest.JOBS;
import static dev.transferlab.api.jobs.JobsOverHttpTest.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A job's events as SSE ({@code GET /v1/training-jobs/{id}/events}) while the workers' events come in. */
@QuarkusTest
@TestProfile(InMemoryMessaging.class)
class JobEventStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    @Any
    InMemoryConnector connector;

    private InMemoryWorker worker;

    @BeforeEach
    void worker() {
        worker = new InMemoryWorker(connector);
    }

    private static String events(String id) {
        return JOBS + "/" + id + "/events";
    }

    /** Open event streams on the service, from its metrics. */
    private static int followers() {
        return given().get("/q/metrics").asString().lines()
                .filter(line -> line.startsWith("transferlab_sse_followers "))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }

    @Test
    void theHistoryComesFirstThenLiveEventsAndTheStreamEndsAfterTheTerminalOne() throws Exception {
        String id = submit();
        try (SseClient sse = SseClient.open(events(id))) {
            assertThat(sse.status).isEqualTo(200);
            Event accepted = sse.nextEvent();
            assertThat(accepted.name()).isEqualTo("accepted");
            assertThat(accepted.id()).isEqualTo(id + ":accepted");

            worker.started(id);
            worker.epoch(id, 1, 2, 0);
            worker.completed(id);

            assertThat(sse.rest()).extracting(Event::id).containsExactly(id + ":started:run-1",
                    id + ":epoch-completed:1", id + ":completed");
        }
        try (SseClient ended = SseClient.open(events(id))) {
            assertThat(ended.rest()).extracting(Event::name)
                    .containsExactly("accepted", "started", "epoch-completed", "completed");
        }
    }

    @Test
    void aClientThatComesBackWithLastEventIdGetsOnlyWhatFollowsThatEvent() throws Exception {
        String id = submit();
        worker.started(id);
        worker.epoch(id, 1, 3, 0);
        worker.epoch(id, 2, 3, 0);
        await().atMost(WAIT).until(() -> JobsOverHttpTest.job(id).jsonPath().getInt("events") == 4);

        try (SseClient sse = SseClient.open(events(id), id + ":epoch-completed:1", 0)) {
            assertThat(sse.nextEvent().id()).isEqualTo(id + ":epoch-completed:2");
            worker.completed(id);
            assertThat(sse.rest()).extracting(Event::id).containsExactly(id + ":completed");
        }
    }

    @Test
    void anIdleStreamGetsHeartbeatComments() throws Exception {
        String id = submit();
        try (SseClient sse = SseClient.open(events(id))) {
            assertThat(sse.next().name()).isEqualTo("accepted");
            // Nothing happens to the job: what comes next can only be a heartbeat.
            assertThat(sse.next().comment()).isEqualTo("heartbeat");
            assertThat(sse.next().comment()).isEqualTo("heartbeat");
        }
    }

    @Test
    void aClientThatFallsBehindGetsAnErrorEventAndIsDroppedWhileAnotherFollowsToTheEnd() throws Exception {
        String id = submit();
        // A receive buffer of a few KiB and no reading: what the service writes to it piles up on the service's side.
        try (SseClient slow = SseClient.open(events(id), null, 4096);
             SseClient fast = SseClient.open(events(id))) {
            assertThat(slow.nextEvent().name()).isEqualTo("accepted");
            assertThat(fast.nextEvent().name()).isEqualTo("accepted");
            await().atMost(WAIT).until(() -> followers() == 2);

            // Large events, in rounds the fast client reads to the end of before the next, so only the slow one
            // falls behind; until the service drops it (its socket's and its queues' worth).
            int epochs = 10_000;
            int epoch = 0;
            while (followers() == 2) {
                assertThat(epoch).as("events sent without the slow client being dropped").isLessThan(epochs - 64);
                for (int i = 0; i < 8; i++) {
                    worker.epoch(id, ++epoch, epochs, 16 * 1024);
                }
                readUpTo(fast, id + ":epoch-completed:" + epoch);
            }
            worker.completed(id);

            assertThat(fast.rest()).extracting(Event::id).containsExactly(id + ":completed");
            List<Event> behind = slow.rest();
            assertThat(behind).isNotEmpty().hasSizeLessThan(epoch);
            Event error = behind.get(behind.size() - 1);
            assertThat(error.name()).isEqualTo("error");
            assertThat(error.data()).contains("fell more than " + InMemoryMessaging.CLIENT_BUFFER + " events behind")
                    .contains("Last-Event-ID");
            assertThat(behind).extracting(Event::name).doesNotContain("completed");
        }
    }

    private static void readUpTo(SseClient client, String eventId) throws IOException {
        List<String> seen = new ArrayList<>();
        for (Event e = client.nextEvent(); e != null; e = client.nextEvent()) {
            seen.add(e.name());
            if (eventId.equals(e.id())) {
                return;
            }
        }
        throw new AssertionError("the stream ended before " + eventId + ": " + seen);
    }
}
