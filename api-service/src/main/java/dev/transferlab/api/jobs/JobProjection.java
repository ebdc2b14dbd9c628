package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job state built from the event stream, kept in the {@link JobStore}: the current view of each job and its history,
 * for queries and for SSE clients. Every replica applies every event (the store skips ids it holds, as delivery is at
 * least once, a resumed job repeats ids, and a replica also applies the events it publishes itself), and hands each
 * to its own SSE clients once stored.
 * <p>
 * Batch prediction jobs are projected here too, from events of the same types on the same topic: their progress,
 * cancellation, release and end are what a training job's are, so one projection, one catch-up check, one dead-letter
 * path and one SSE stream serve both, where a topic of their own would have duplicated each. Their views carry the
 * batch request ({@link JobView#kind}), and the training endpoints leave them out.
 */
@ApplicationScoped
public class JobProjection {
    private final JobStore store;
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final int followerBuffer;

    @Inject
    public JobProjection(DataSource db, SseSettings settings) {
        this(new JobStore(db), settings.clientBuffer());
    }

    public JobProjection(JobStore store, int followerBuffer) {
        this.store = store;
        this.followerBuffer = followerBuffer;
    }

    /**
     * Applies one event, or none of it.
     *
     * @throws UnfitEventException when the event does not fit its job; the store is then as it was
     */
    public void apply(TrainingEvent event) {
        UnfitEventException unfit = applyAll(List.of(event), Map.of()).get(0);
        if (unfit != null) {
            throw unfit;
        }
    }

    /**
     * Applies a batch read from the events topic in one transaction, with the offsets after it ({@link JobStore}).
     *
     * @return by index in {@code events}, why each event that did not fit its job was left out
     */
    public Map<Integer, UnfitEventException> applyAll(List<TrainingEvent> events, Map<Integer, Long> nextOffsets) {
        JobStore.Applied applied = store.apply(events, nextOffsets);
        // Also the events the store had already: another replica may have stored them after this replica's followers
        // read their history. Each follower skips what it has sent.
        for (JobStore.Stored e : applied.stored()) {
            Set<Follower> following = followers.get(e.event().jobId());
            if (following != null) {
                following.forEach(f -> f.offer(e));
            }
        }
        return applied.unfit();
    }

    public JobStore store() {
        return store;
    }

    public Optional<JobView> view(String jobId) {
        return store.view(jobId);
    }

    /** The submission (training job or sweep) first accepted under this tenant's idempotency key, if any. */
    public Optional<JobStore.Keyed> byIdempotencyKey(String tenant, String key) {
        return store.byIdempotencyKey(tenant, key);
    }

    /** Event streams being followed now (open SSE connections on this replica). */
    public int followers() {
        return followers.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * The job's events after {@code lastEventId} (all of them when it is null or unknown), then the live ones;
     * completes after the terminal event. A client that falls {@code transferlab.sse.client-buffer} events behind
     * fails with {@link SlowClientException} rather than holding memory or delaying anyone else.
     * <p>
     * The follower is registered before the history is read, so an event stored meanwhile reaches it live if not in
     * the history; it sends events strictly by their number, reading any it has not been handed (stored by another
     * replica, not yet consumed here) from the store, and drops those it has sent.
     */
    public Multi<TrainingEvent> follow(String jobId, String lastEventId) {
        Follower live = new Follower(jobId, followerBuffer);
        followers.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(live);
        int after = lastEventId == null ? 0 : store.seq(jobId, lastEventId).orElse(0);
        boolean ended = store.view(jobId).map(JobView::isTerminal).orElse(true);
        List<JobStore.Stored> history = store.events(jobId, after);
        if (ended) {
            unregister(live);
            return Multi.createFrom().iterable(history).map(JobStore.Stored::event);
        }
        live.sent = history.isEmpty() ? after : history.get(history.size() - 1).seq();
        return Multi.createBy().concatenating().streams(
                        Multi.createFrom().iterable(history).map(JobStore.Stored::event), live.stream())
                .onTermination().invoke(() -> unregister(live));
    }

    private void unregister(Follower follower) {
        followers.computeIfPresent(follower.jobId, (id, set) -> {
            set.remove(follower);
            return set.isEmpty() ? null : set;
        });
    }

    /** Thrown into a follower's stream when it cannot keep up. */
    public static final class SlowClientException extends RuntimeException {
        SlowClientException(int buffer) {
            super("the client fell more than " + buffer + " events behind and was dropped; reconnect with "
                    + "Last-Event-ID to continue");
        }
    }

    /** One SSE client's bounded queue of live events; overflowing it fails that client's stream only. */
    private final class Follower {
        private final String jobId;
        private final UnicastProcessor<JobStore.Stored> queue;
        private final int buffer;
        /** The number of the last event sent; only the stream's one subscriber thread reads and writes it. */
        private int sent;
        private boolean done;

        Follower(String jobId, int buffer) {
            this.jobId = jobId;
            this.buffer = buffer;
            // Bounded here too: until the client has read the history, live events wait in this queue.
            this.queue = UnicastProcessor.create(new ArrayBlockingQueue<>(buffer), null);
        }

        void offer(JobStore.Stored event) {
            queue.onNext(event);
        }

        /**
         * Delivered on a worker thread: reading a gap from the store blocks, and the consumer that offers must not
         * wait for any client's connection.
         */
        Multi<TrainingEvent> stream() {
            return queue.emitOn(Infrastructure.getDefaultWorkerPool())
                    .onOverflow().buffer(buffer)
                    .onFailure(BackPressureFailure.class).transform(e -> new SlowClientException(buffer))
                    .concatMap(e -> Multi.createFrom().iterable(next(e)));
        }

        /** What to send for this live event: nothing, it, or it and the events before it not yet sent. */
        private List<TrainingEvent> next(JobStore.Stored e) {
            if (done || e.seq() <= sent) {
                return List.of();
            }
            List<JobStore.Stored> due = e.seq() == sent + 1 ? List.of(e)
                    : store.events(jobId, sent).stream().filter(s -> s.seq() <= e.seq()).toList();
            List<TrainingEvent> out = new ArrayList<>();
            for (JobStore.Stored s : due) {
                out.add(s.event());
                sent = s.seq();
                if (s.event().type().isTerminal()) {
                    done = true;
                    queue.onComplete();
                    break;
                }
            }
            return out;
        }
    }
}
