package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.transferlab.stack.SharedStack.TINY_DENSENET;
import static dev.transferlab.stack.SharedStack.api;
import static dev.transferlab.stack.SharedStack.jobBody;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.stack;
import static dev.transferlab.stack.SharedStack.store;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sweep through the API whose worker is killed mid-sweep: the restarted worker reruns none of the trials the dead
 * one recorded, the leaderboard stream has every trial once, and the best trial's model serves predictions.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SweepCrashIT {
    private static final int TRIALS = 8;
    private static final Pattern RECORD = Pattern.compile("/trials/(\\d+)/epochs-\\d+\\.json$");

    @Test
    void aSweepSurvivesItsWorkerKilledMidSweepAndItsBestModelServes() throws Exception {
        String dataset = putDataset("sweep-crash", SampleImages.CLASSES, 6);
        ApiClient.Answer submitted = api().postJson("/v1/sweeps", """
                {"base": %s,
                 "space": {"learningRate": {"values": [0.001, 0.003, 0.01, 0.03]}, "hiddenUnits": {"values": [16, 32]}},
                 "strategy": {"type": "grid"}, "maxTrials": %d, "metric": "validation-accuracy"}"""
                .formatted(jobBody(dataset, 150, 2, TINY_DENSENET), TRIALS));
        assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(202);
        String sweepId = submitted.body().get("id").asText();

        awaitTrials(sweepId, 2);
        stack().worker().kill();
        Set<Integer> recorded = recordedTrials(sweepId);
        stack().worker().start();
        assertThat(recorded).as("recorded by the killed worker").isNotEmpty().hasSizeLessThan(TRIALS);

        List<ApiClient.SseEvent> events = new ArrayList<>();
        api().followEventsAt("/v1/sweeps/" + sweepId + "/events", null, events::add);
        JsonNode completed = events.get(events.size() - 1).data();
        assertThat(completed.get("type").asText()).as(completed.toString()).isEqualTo("completed");
        assertThat(events).extracting(ApiClient.SseEvent::id).doesNotHaveDuplicates();
        List<Integer> leaderboard = events.stream().filter(e -> e.name().equals("trial-completed"))
                .map(e -> e.data().at("/trial/trial").asInt()).toList();
        assertThat(leaderboard).as("every trial once").hasSize(TRIALS).doesNotHaveDuplicates();
        JsonNode resumed = events.stream().filter(e -> e.name().equals("resumed")).findFirst().orElseThrow().data();
        // The restarted worker's trial consumers may take the dead one's trials before its sweep consumer takes the
        // sweep (their groups' session timeouts differ), so the resumed run may find more than the dead one left.
        Matcher found = Pattern.compile("^resuming: (\\d+) of " + TRIALS + " ")
                .matcher(resumed.get("message").asText());
        assertThat(found.find()).as(resumed.toString()).isTrue();
        assertThat(Integer.parseInt(found.group(1))).isGreaterThanOrEqualTo(recorded.size());
        for (int trial : recorded) {
            assertThat(RawKafka.events(sweepId).stream().filter(e -> e.path("type").asText().equals("trial-completed")
                    && e.at("/trial/trial").asInt() == trial)).as("trial %d ran once", trial).hasSize(1);
        }

        JsonNode sweep = api().get("/v1/sweeps/" + sweepId).body();
        assertThat(sweep.get("state").asText()).isEqualTo("completed");
        assertThat(sweep.get("trials")).hasSize(TRIALS);
        String modelId = completed.get("modelId").asText();
        ApiClient.Answer prediction = api().postBytes("/v1/models/" + modelId + "/predictions",
                SampleImages.png(SampleImages.CLASSES.get(0), 500), "image/png");
        assertThat(prediction.status()).as(prediction.body().toString()).isEqualTo(200);
        assertThat(prediction.body().get("label").asText()).isIn(SampleImages.CLASSES);
        assertThat(api().get("/v1/models/" + modelId + "/evaluation").status()).isEqualTo(200);
        assertThat(store().list(store().inDefaultBucket(StorageLayout.sweepPrefix("default", sweepId))))
                .as("the sweep's area is gone once its model is stored").isEmpty();
    }

    private static void awaitTrials(String sweepId, int trials) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            if (api().get("/v1/sweeps/" + sweepId).body().path("trials").size() >= trials) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(sweepId + " never finished " + trials + " trials");
    }

    private static Set<Integer> recordedTrials(String sweepId) {
        Set<Integer> trials = new TreeSet<>();
        store().list(store().inDefaultBucket(StorageLayout.sweepPrefix("default", sweepId))).forEach(object -> {
            Matcher m = RECORD.matcher(object.key());
            if (m.find()) {
                trials.add(Integer.parseInt(m.group(1)));
            }
        });
        return trials;
    }
}
