package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.stack.ApiClient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JobPhasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void aJobThatExtractsSplitsItsSecondsIntoPhasesThatAddUpToItsTotal() {
        List<JobPhases.Received> events = new ArrayList<>();
        events.add(event("accepted", 0.2, null));
        events.add(event("started", 3.0, null));
        ObjectNode extraction = JSON.createObjectNode().put("done", 30).put("imagesPerSecond", 2.0);
        // 30 images at 2 images/s: the backbone began 15 s before its last progress report.
        events.add(event("extraction-progress", 19.0, e -> e.set("extraction", extraction)));
        events.add(event("learnability-baseline", 20.0, null));
        events.add(event("epoch-completed", 20.5, e -> e.set("metrics", JSON.createObjectNode().put("seconds", 0.4))));
        events.add(event("checkpointed", 20.7, null));
        events.add(event("epoch-completed", 21.2, e -> e.set("metrics", JSON.createObjectNode().put("seconds", 0.4))));
        events.add(event("checkpointed", 21.4, null));
        events.add(new JobPhases.Received(event("completed", 22.0, null).event(), T0.plusMillis(22_100)));

        JobPhases phases = new JobPhases(T0, T0.plusMillis(500), events);

        assertThat(phases.total()).isCloseTo(22.1, within(1e-9));
        assertThat(phases.phases().values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(phases.total(), within(1e-9));
        assertThat(phases.phases()).containsEntry("backbone over the images", 15.0)
                .containsEntry("head training (2 epochs)", 0.8);
        assertThat(phases.phases().get("listing, decode pipeline start")).isCloseTo(1.0, within(1e-9));
        assertThat(phases.phases().get("head set-up, to the first epoch")).isCloseTo(0.1, within(1e-9));
        assertThat(phases.phases().get("between epochs (epoch events)")).isCloseTo(0.3, within(1e-9));
        assertThat(phases.phases().get("last epoch to completed (evaluation, model store)"))
                .isCloseTo(0.8, within(1e-9));
        assertThat(phases.overhead()).isCloseTo(22.1 - 15.0 - 0.8, within(1e-9));
    }

    @Test
    void aJobOnCachedFeaturesHasNoBackbonePhase() {
        List<JobPhases.Received> events = List.of(event("accepted", 0.1, null), event("started", 0.2, null),
                event("feature-cache-hit", 0.4, null), event("learnability-baseline", 0.5, null),
                event("epoch-completed", 0.7, e -> e.set("metrics", JSON.createObjectNode().put("seconds", 0.15))),
                event("checkpointed", 0.8, null), event("completed", 1.0, null));

        JobPhases phases = new JobPhases(T0, T0.plusMillis(150), events);

        assertThat(phases.phases()).doesNotContainKey("backbone over the images")
                .containsKey("listing, cached features read");
        assertThat(phases.overhead()).isCloseTo(1.0 - 0.15, within(1e-9));
    }

    @Test
    void checkpointsStoredInTheBackgroundDoNotMoveThePhases() {
        List<JobPhases.Received> events = List.of(event("accepted", 0.1, null), event("started", 0.2, null),
                event("feature-cache-hit", 0.4, null), event("learnability-baseline", 0.5, null),
                event("epoch-completed", 0.7, e -> e.set("metrics", JSON.createObjectNode().put("seconds", 0.15))),
                event("epoch-completed", 0.9, e -> e.set("metrics", JSON.createObjectNode().put("seconds", 0.15))),
                event("checkpointed", 1.2, null), event("completed", 1.3, null));

        JobPhases phases = new JobPhases(T0, T0.plusMillis(150), events);

        assertThat(phases.phases().values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(phases.total(), within(1e-9));
        assertThat(phases.phases().get("between epochs (epoch events)")).isCloseTo(0.05, within(1e-9));
        assertThat(phases.phases().get("last epoch to completed (evaluation, model store)"))
                .isCloseTo(0.4, within(1e-9));
    }

    private static JobPhases.Received event(String name, double seconds, java.util.function.Consumer<ObjectNode> more) {
        Instant at = T0.plusNanos((long) (seconds * 1e9));
        ObjectNode data = JSON.createObjectNode().put("type", name).put("timestamp", at.toString());
        if (more != null) {
            more.accept(data);
        }
        return new JobPhases.Received(new ApiClient.SseEvent(name, name, data), at);
    }
}
