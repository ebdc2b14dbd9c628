package dev.transferlab.api.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job store on a real PostgreSQL, with two replicas' projections writing to it as every api-service replica
 * does: duplicates are stored once, a follower's history and live events meet without a gap or a duplicate, and
 * pages follow one another by cursor.
 */
class JobStoreTest {
    static EmbeddedPostgres postgres;
    JobProjection replica;
    JobProjection other;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresResource.startServer();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void twoReplicas() {
        DataSource db = EmbeddedPostgresResource.migrated(postgres);
        replica = new JobProjection(new JobStore(db), 64);
        other = new JobProjection(new JobStore(db), 64);
    }

    @Test
    void anEventAppliedTwiceIsStoredOnceAndKeepsItsNumber() {
        TrainingEvent accepted = accepted("job-a", Instant.now());
        TrainingEvent started = TrainingEvent.builder("job-a", "default", TrainingEventType.STARTED).build();
        replica.applyAll(List.of(accepted, started, started), Map.of(0, 2L));
        JobStore.Applied again = other.store().apply(List.of(accepted, started), Map.of(0, 1L));

        assertThat(again.stored()).extracting(JobStore.Stored::seq).containsExactly(1, 2);
        assertThat(again.unfit()).isEmpty();
        assertThat(replica.view("job-a").orElseThrow().events()).isEqualTo(2);
        assertThat(replica.view("job-a").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(replica.store().events("job-a", 0)).extracting(s -> s.event().eventId())
                .containsExactly(accepted.eventId(), started.eventId());
        // The offsets only move forward, whoever writes them.
        assertThat(replica.store().nextOffsets()).isEqualTo(Map.of(0, 2L));
    }

    @Test
    void aFollowerGetsTheHistoryThenLiveEventsWithNoGapAndNoDuplicateWhileAnotherReplicaWrites() {
        replica.apply(accepted("job-s", Instant.now()));
        TrainingEvent started = TrainingEvent.builder("job-s", "default", TrainingEventType.STARTED).build();
        other.apply(started);
        AssertSubscriber<TrainingEvent> client = replica.follow("job-s", null)
                .subscribe().withSubscriber(AssertSubscriber.create(100));

        // Stored by the other replica after the history was read: this one hands them over as its consumer gets
        // to them, the first of them again.
        TrainingEvent first = checkpointed("job-s", 1);
        other.apply(first);
        replica.applyAll(List.of(started, first, checkpointed("job-s", 2)), Map.of());
        // Stored elsewhere and not yet consumed here when this replica stores a later one: read from the store.
        TrainingEvent third = checkpointed("job-s", 3);
        other.apply(third);
        replica.apply(TrainingEvent.builder("job-s", "default", TrainingEventType.CANCEL_REQUESTED).build());
        replica.applyAll(List.of(third, TrainingEvent.builder("job-s", "default", TrainingEventType.CANCELLED)
                .build()), Map.of());

        client.awaitCompletion(Duration.ofSeconds(10));
        assertThat(client.getItems()).extracting(TrainingEvent::type).containsExactly(TrainingEventType.ACCEPTED,
                TrainingEventType.STARTED, TrainingEventType.CHECKPOINTED, TrainingEventType.CHECKPOINTED,
                TrainingEventType.CHECKPOINTED, TrainingEventType.CANCEL_REQUESTED, TrainingEventType.CANCELLED);
        assertThat(client.getItems()).extracting(TrainingEvent::epoch).containsSubsequence(1, 2, 3);
        assertThat(replica.followers()).isZero();

        // A client that resumes after the third checkpoint gets what followed it, and the stream ends.
        assertThat(replica.follow("job-s", third.eventId()).collect().asList().await().atMost(Duration.ofSeconds(10)))
                .extracting(TrainingEvent::type)
                .containsExactly(TrainingEventType.CANCEL_REQUESTED, TrainingEventType.CANCELLED);
    }

    @Test
    void pagesFollowOneAnotherByCursorNewestFirstAndNewJobsShiftNothing() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two jobs per second: the id orders those of one instant.
            String id = "job-" + i;
            replica.apply(accepted(id, t.plusSeconds(i / 2)));
            newestFirst.add(0, id);
        }
        newestFirst.sort((a, b) -> Integer.compare(Integer.parseInt(b.substring(4)) / 2,
                Integer.parseInt(a.substring(4)) / 2) != 0 ? Integer.compare(Integer.parseInt(b.substring(4)) / 2,
                Integer.parseInt(a.substring(4)) / 2) : b.compareTo(a));

        JobPages.Page first = page(null);
        // Submitted between two pages: it is on none of the following ones.
        replica.apply(accepted("job-new", t.plusSeconds(60)));
        JobPages.Page second = page(first.next());
        JobPages.Page third = page(second.next());

        List<String> seen = new ArrayList<>();
        for (JobPages.Page p : List.of(first, second, third)) {
            p.items().forEach(v -> seen.add(v.id()));
        }
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(third.next()).isNull();
        assertThat(third.total()).isEqualTo(8);
        assertThat(JobPages.Cursor.decode(first.nextCursor())).isEqualTo(first.next());
        assertThat(page(null).items().get(0).id()).isEqualTo("job-new");
        // An offset counts from the cursor, in the same order.
        assertThat(replica.store().page(new JobPages.Query("default", JobKind.TRAINING, null, null, first.next()), 2,
                3).items()).extracting(JobView::id).containsExactlyElementsOf(newestFirst.subList(5, 7));
    }

    @Test
    void aValueThePostgresCannotHoldFailsThatEventAloneTheRestOfItsBatchIsStored() {
        TrainingEvent accepted = accepted("job-n", Instant.now());
        TrainingEvent nul = TrainingEvent.builder("job-n", "default", TrainingEventType.STARTED)
                .message("a \u0000 in it").build();
        Map<Integer, UnfitEventException> unfit = replica.applyAll(List.of(accepted, nul, checkpointed("job-n", 1)),
                Map.of(0, 3L));

        assertThat(unfit).containsOnlyKeys(1);
        assertThat(replica.view("job-n").orElseThrow().events()).isEqualTo(2);
        assertThat(replica.store().nextOffsets()).isEqualTo(Map.of(0, 3L));
    }

    @Test
    void anEventThePostgresCannotHoldLastInItsBatchStillMovesTheOffsetsPastIt() {
        TrainingEvent accepted = accepted("job-l", Instant.now());
        TrainingEvent nul = TrainingEvent.builder("job-l", "default", TrainingEventType.STARTED)
                .message("a \u0000 in it").build();
        Map<Integer, UnfitEventException> unfit = replica.applyAll(List.of(accepted, nul), Map.of(0, 2L));

        assertThat(unfit).containsOnlyKeys(1);
        assertThat(replica.view("job-l").orElseThrow().events()).isEqualTo(1);
        assertThat(replica.store().nextOffsets()).isEqualTo(Map.of(0, 2L));
    }

    private JobPages.Page page(JobPages.Cursor after) {
        return replica.store().page(new JobPages.Query("default", JobKind.TRAINING, null, null, after), 0, 3);
    }

    private static TrainingEvent checkpointed(String job, int epoch) {
        return TrainingEvent.builder(job, "default", TrainingEventType.CHECKPOINTED).epoch(epoch).build();
    }

    private static TrainingEvent accepted(String job, Instant at) {
        TrainingEvent e = TrainingEvent.builder(job, "default", TrainingEventType.ACCEPTED)
                .request(TrainingRequest.of(job, "default", "s3://b/d/", BackboneSpec.densenet121(),
                        Hyperparameters.defaults())).build();
        ObjectNode json = Messages.mapper().valueToTree(e);
        json.put("timestamp", at.toString());
        return Messages.fromJson(json.toString(), TrainingEvent.class);
    }
}
