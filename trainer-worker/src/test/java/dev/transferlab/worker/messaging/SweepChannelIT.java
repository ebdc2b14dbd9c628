package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SearchDimension;
import dev.transferlab.common.messages.SweepMetric;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepStrategy;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.model.PreprocessingSpec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A sweep command through the worker's own channel, against a real broker and S3 server, to its stored model. */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(SweepChannelIT.RandomWeights.class)
class SweepChannelIT {
    private static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);

    public static class RandomWeights implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("transferlab.backbone.allow-random-weights", "true", "transferlab.sweeps.parallelism", "2");
        }
    }

    @Test
    void aSweepCommandRunsEveryTrialAndEndsWithTheBestTrialsModel() throws Exception {
        String dataset = RealBroker.putDataset("datasets/default/sweep-channel/", 4);
        SweepRequest request = SweepRequest.of("sweep-channel", "default", dataset, null, TINY,
                PreprocessingSpec.imagenet(), new Hyperparameters(2, 4, 1e-3, 16, 0.25, 1, null),
                Map.of("learningRate", SearchDimension.of(1e-3, 1e-2, 3e-2)), SweepStrategy.grid(), 3,
                SweepMetric.VALIDATION_LOSS);
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(Topics.SWEEP_REQUESTS, request.jobId(), Messages.toJson(request)))
                    .get(30, TimeUnit.SECONDS);
        }

        List<TrainingEvent> events = RealBroker.eventsUntilTheEnd(request.jobId());

        assertThat(events).extracting(TrainingEvent::type).as(events.toString()).startsWith(TrainingEventType.STARTED,
                TrainingEventType.EXTRACTION_PROGRESS).endsWith(TrainingEventType.COMPLETED);
        assertThat(events.stream().filter(e -> e.type() == TrainingEventType.TRIAL_COMPLETED))
                .extracting(e -> e.trial().trial()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(events.get(events.size() - 1).modelId()).isEqualTo("sweep-channel");
        assertThat(events.stream().filter(e -> e.type() == TrainingEventType.TRIAL_COMPLETED))
                .extracting(e -> e.trial().worker()).as("trained by this worker's trial consumers")
                .allSatisfy(worker -> assertThat(worker).startsWith("trainer-worker "));

        // A trial its sweep never planned, and a record that is no trial at all: dead letters, with the reason.
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(Topics.SWEEP_TRIALS, "sweep-channel/7",
                    Messages.toJson(SweepTrialRequest.of(request, 7, 0)))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.SWEEP_TRIALS, "garbage", "{\"trial\": ")).get(30,
                    TimeUnit.SECONDS);
        }
        ConsumerRecord<String, String> unplanned = RealBroker.first(Topics.DEAD_LETTERS,
                r -> "sweep-channel/7".equals(r.key()));
        assertThat(new String(unplanned.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("trial 7 at rung 0 is not in the sweep's plan of 3 trials and 1 rungs");
        assertThat(RealBroker.first(Topics.DEAD_LETTERS, r -> "garbage".equals(r.key()))
                .headers().lastHeader("dead-letter-reason")).isNotNull();
    }
}
