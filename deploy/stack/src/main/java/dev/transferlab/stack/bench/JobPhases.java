package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.stack.ApiClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a job's seconds went, from its events' timestamps (set by the api-service and the worker on this machine, so
 * one clock): contiguous phases from the client's submission to the client receiving the completed event, the
 * backbone's and the head's own seconds apart from everything else (the job's fixed overhead).
 */
final class JobPhases {

    /** An event as the client got it, with when it got it. */
    record Received(ApiClient.SseEvent event, Instant at) {
    }

    private final Map<String, Double> phases = new LinkedHashMap<>();
    private final double total;
    private final double backbone;
    private final double head;

    /**
     * @param submitted when the client sent the submission
     * @param answered  when its answer came, the transaction of its accepted event and command committed
     * @param events    the job's events, ending with the completed one
     */
    JobPhases(Instant submitted, Instant answered, List<Received> events) {
        Instant accepted = time(first(events, "accepted"));
        Instant started = time(first(events, "started"));
        Optional<Received> cacheHit = find(events, "feature-cache-hit");
        Instant baseline = time(first(events, "learnability-baseline"));
        List<Received> epochs = all(events, "epoch-completed");
        Received completed = events.get(events.size() - 1);
        phases.put("submission to accepted (api-service)", seconds(submitted, accepted));
        phases.put("accepted to submission answered (transaction commit)", seconds(accepted, answered));
        phases.put("answered to started (worker poll, backbone build)", seconds(answered, started));
        Instant featuresDone;
        if (cacheHit.isPresent()) {
            featuresDone = time(cacheHit.get());
            phases.put("listing, cached features read", seconds(started, featuresDone));
            backbone = 0;
        } else {
            List<Received> progress = all(events, "extraction-progress");
            Received last = progress.get(progress.size() - 1);
            JsonNode extraction = last.event().data().get("extraction");
            backbone = extraction.get("done").asInt() / extraction.get("imagesPerSecond").asDouble();
            featuresDone = time(last);
            Instant extractionStart = featuresDone.minusNanos((long) (backbone * 1e9));
            phases.put("listing, decode pipeline start", seconds(started, extractionStart));
            phases.put("backbone over the images", backbone);
        }
        phases.put("feature cache write, learnability baseline", seconds(featuresDone, baseline));
        head = epochs.stream().mapToDouble(JobPhases::epochSeconds).sum();
        // From each epoch's event to the next one's, less that epoch's own seconds: what the training thread spent
        // between epochs (the awaited epoch events; checkpoints are stored in the background).
        double between = 0;
        for (int i = 1; i < epochs.size(); i++) {
            between += seconds(time(epochs.get(i - 1)), time(epochs.get(i))) - epochSeconds(epochs.get(i));
        }
        Received lastEpoch = epochs.get(epochs.size() - 1);
        phases.put("head training (" + epochs.size() + " epochs)", head);
        phases.put("head set-up, to the first epoch", seconds(baseline, time(epochs.get(0)))
                - epochSeconds(epochs.get(0)));
        phases.put("between epochs (epoch events)", between);
        phases.put("last epoch to completed (evaluation, model store)", seconds(time(lastEpoch), time(completed)));
        phases.put("completed event to the client", seconds(time(completed), completed.at()));
        total = seconds(submitted, completed.at());
    }

    /** Seconds by phase, in order; they add up to the job's {@link #total}. */
    Map<String, Double> phases() {
        return Collections.unmodifiableMap(phases);
    }

    double total() {
        return total;
    }

    /** Seconds outside the backbone's and the head's own work. */
    double overhead() {
        return total - backbone - head;
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        phases.forEach((phase, s) -> lines.add(String.format(Locale.ROOT, "  %-66s %7.2f s", phase, s)));
        lines.add(String.format(Locale.ROOT, "  %-66s %7.2f s", "total; outside the backbone and the head:", total)
                + String.format(Locale.ROOT, "; %.2f s", overhead()));
        return lines;
    }

    private static double epochSeconds(Received epoch) {
        return epoch.event().data().at("/metrics/seconds").asDouble();
    }

    private static Instant time(Received received) {
        return Instant.parse(received.event().data().get("timestamp").asText());
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static Optional<Received> find(List<Received> events, String name) {
        return events.stream().filter(e -> e.event().name().equals(name)).findFirst();
    }

    private static Received first(List<Received> events, String name) {
        return find(events, name).orElseThrow(() -> new IllegalStateException("the job sent no " + name + " event"));
    }

    private static List<Received> all(List<Received> events, String name) {
        return events.stream().filter(e -> e.event().name().equals(name)).toList();
    }
}
