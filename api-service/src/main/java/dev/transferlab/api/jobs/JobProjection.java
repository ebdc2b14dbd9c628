package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Job state built from the event stream: the current view of each job and its history, for queries and for SSE
 * clients. Events are deduplicated by id because delivery is at least once, a resumed job repeats ids, and this
 * replica also applies the events it publishes itself. Every replica reads the whole topic from the start, so the
 * topic is the store and this is a cache any replica can rebuild.
 * <p>
 * Batch prediction jobs are projected here too, from events of the same types on the same topic: their progress,
 * cancellation, release and end are what a training job's are, so one projection, one catch-up check, one dead-letter
 * path and one SSE stream serve both, where a topic of their own would have duplicated each. Their views carry the
 * batch request ({@link JobView#kind}), and the training endpoints leave them out.
 */
@ApplicationScoped
public class JobProjection {
    private final Map<String, JobHistory> jobs = new ConcurrentHashMap<>();
    private final Map<String, Keyed> byIdempotencyKey = new ConcurrentHashMap<>();
    private final AtomicInteger followers = new AtomicInteger();
    private final int followerBuffer;

    @Inject
    public JobProjection(SseSettings settings) {
        this(settings.clientBuffer());
    }

    public JobProjection(int followerBuffer) {
        this.followerBuffer = followerBuffer;
    }

    /**
     * Applies one event, or none of it.
     *
     * @throws UnfitEventException when the event does not fit its job; the projection is then as it was
     */
    public void apply(TrainingEvent event) {
        JobHistory history = event.jobId() == null ? null : jobs.get(event.jobId());
        if (history == null) {
            // Checked before a history exists for the job, so that an unfit first event leaves no trace.
            JobViews.next(null, event, 1);
            history = jobs.computeIfAbsent(event.jobId(), id -> new JobHistory());
        }
        history.append(event);
        if (event.type() == TrainingEventType.ACCEPTED && event.request() != null
                && event.request().idempotencyKey() != null) {
            byIdempotencyKey.putIfAbsent(idempotencyIndex(event.tenant(), event.request().idempotencyKey()),
                    new Keyed(event.jobId(), event.request().submissionSha256()));
        }
        if (event.type() == TrainingEventType.ACCEPTED && event.sweep() != null
                && event.sweep().idempotencyKey() != null) {
            byIdempotencyKey.putIfAbsent(idempotencyIndex(event.tenant(), event.sweep().idempotencyKey()),
                    new Keyed(event.jobId(), event.sweep().submissionSha256()));
        }
    }

    public Optional<JobView> view(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(JobHistory::view);
    }

    /** Every job this replica has seen, as it is now. */
    public List<JobView> views() {
        return list(job -> true);
    }

    /** A submission accepted under an idempotency key: its job, and the hash of what was submitted. */
    public record Keyed(String jobId, String submissionSha256) {
    }

    /** The submission (training job or sweep) first accepted under this tenant's idempotency key, if any. */
    public Optional<Keyed> byIdempotencyKey(String tenant, String key) {
        return Optional.ofNullable(byIdempotencyKey.get(idempotencyIndex(tenant, key)));
    }

    /** How many jobs are in this state now. */
    public long count(JobState state) {
        return jobs.values().stream().map(JobHistory::view).filter(v -> v.state() == state).count();
    }

    /** Event streams being followed now (open SSE connections on this replica). */
    public int followers() {
        return followers.get();
    }

    /** Matching jobs, newest first. */
    public List<JobView> list(Predicate<JobView> filter) {
        return jobs.values().stream().map(JobHistory::view).filter(filter)
                .sorted(Comparator.comparing(JobView::submittedAt).reversed().thenComparing(JobView::id))
                .toList();
    }

    /**
     * The job's events after {@code lastEventId} (all of them when it is null or unknown), then the live ones;
     * completes after the terminal event. A client that falls {@code transferlab.sse.client-buffer} events behind
     * fails with {@link SlowClientException} rather than holding memory or delaying anyone else.
     */
    public Optional<Multi<TrainingEvent>> follow(String jobId, String lastEventId) {
        return Optional.ofNullable(jobs.get(jobId)).map(h -> h.follow(lastEventId, followerBuffer)
                .onSubscription().invoke(followers::incrementAndGet)
                .onTermination().invoke(followers::decrementAndGet));
    }

    private static String idempotencyIndex(String tenant, String key) {
        return tenant + "\u0000" + key;
    }

    /** Thrown into a follower's stream when it cannot keep up. */
    public static final class SlowClientException extends RuntimeException {
        SlowClientException(int buffer) {
            super("the client fell more than " + buffer + " events behind and was dropped; reconnect with "
                    + "Last-Event-ID to continue");
        }
    }

    private static final class JobHistory {
        private final List<TrainingEvent> events = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();
        private final Set<Follower> followers = new HashSet<>();
        private JobView view;

        synchronized void append(TrainingEvent event) {
            if (seen.contains(event.eventId())) {
                return;
            }
            view = JobViews.next(view, event, events.size() + 1);
            seen.add(event.eventId());
            events.add(event);
            // A copy: delivering may end a follower's stream, which removes it from the set.
            for (Follower follower : List.copyOf(followers)) {
                if (!follower.offer(event)) {
                    followers.remove(follower);
                }
            }
        }

        synchronized JobView view() {
            return view;
        }

        Multi<TrainingEvent> follow(String lastEventId, int buffer) {
            // The snapshot and the registration happen under the lock append takes, so no event is missed or sent
            // twice between the history and the live part.
            List<TrainingEvent> history;
            Follower live;
            synchronized (this) {
                history = List.copyOf(events.subList(positionAfter(lastEventId), events.size()));
                if (!events.isEmpty() && events.get(events.size() - 1).type().isTerminal()) {
                    return Multi.createFrom().iterable(history);
                }
                live = new Follower(buffer);
                followers.add(live);
            }
            return Multi.createBy().concatenating().streams(Multi.createFrom().iterable(history), live.stream())
                    .onTermination().invoke(() -> {
                        synchronized (this) {
                            followers.remove(live);
                        }
                    });
        }

        private int positionAfter(String lastEventId) {
            if (lastEventId != null) {
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).eventId().equals(lastEventId)) {
                        return i + 1;
                    }
                }
            }
            return 0;
        }
    }

    /** One SSE client's bounded queue of live events; overflowing it fails that client's stream only. */
    private static final class Follower {
        private final UnicastProcessor<TrainingEvent> queue;
        private final int buffer;

        Follower(int buffer) {
            this.buffer = buffer;
            // Bounded here too: until the client has read the history, live events wait in this queue.
            this.queue = UnicastProcessor.create(new ArrayBlockingQueue<>(buffer), null);
        }

        /** False once this follower needs nothing more: after the terminal event. */
        boolean offer(TrainingEvent event) {
            queue.onNext(event);
            if (event.type().isTerminal()) {
                queue.onComplete();
                return false;
            }
            return true;
        }

        /**
         * Delivered on a worker thread: {@link JobHistory#append} offers under its lock, and writing to the HTTP
         * connection from there would take the connection's lock too, deadlocking with a request thread that holds
         * the connection and waits for the history.
         */
        Multi<TrainingEvent> stream() {
            return queue.emitOn(Infrastructure.getDefaultWorkerPool())
                    .onOverflow().buffer(buffer)
                    .onFailure(BackPressureFailure.class).transform(e -> new SlowClientException(buffer));
        }
    }
}
