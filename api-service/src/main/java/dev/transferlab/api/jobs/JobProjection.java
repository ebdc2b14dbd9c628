package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job state built from the event stream: the current view of each job and its history, for queries and for SSE
 * clients. Events are deduplicated by id because delivery is at least once and this replica also applies the
 * "accepted" events it publishes itself.
 */
@ApplicationScoped
public class JobProjection {
    private final Map<String, JobHistory> jobs = new ConcurrentHashMap<>();

    public void apply(TrainingEvent event) {
        jobs.computeIfAbsent(event.jobId(), id -> new JobHistory()).append(event);
    }

    public Optional<JobView> view(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(JobHistory::view);
    }

    /** Every job this replica has seen, as it is now. */
    public List<JobView> views() {
        return jobs.values().stream().map(JobHistory::view).toList();
    }

    /** The job's events so far, then the live ones; completes after the terminal event. */
    public Optional<Multi<TrainingEvent>> follow(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(JobHistory::follow);
    }

    private static final class JobHistory {
        private final List<TrainingEvent> events = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();
        private final Set<MultiEmitter<? super TrainingEvent>> followers = new HashSet<>();
        private JobView view;

        synchronized void append(TrainingEvent event) {
            if (!seen.add(event.eventId())) {
                return;
            }
            events.add(event);
            view = JobViews.next(view, event, events.size());
            for (MultiEmitter<? super TrainingEvent> follower : followers) {
                follower.emit(event);
                if (event.type().isTerminal()) {
                    follower.complete();
                }
            }
            if (event.type().isTerminal()) {
                followers.clear();
            }
        }

        synchronized JobView view() {
            return view;
        }

        Multi<TrainingEvent> follow() {
            // Replay and registration happen under the same lock as append, so no event is missed or repeated.
            return Multi.createFrom().emitter(emitter -> {
                synchronized (this) {
                    events.forEach(emitter::emit);
                    if (!events.isEmpty() && events.get(events.size() - 1).type().isTerminal()) {
                        emitter.complete();
                        return;
                    }
                    followers.add(emitter);
                }
                emitter.onTermination(() -> {
                    synchronized (this) {
                        followers.remove(emitter);
                    }
                });
            });
        }
    }
}
