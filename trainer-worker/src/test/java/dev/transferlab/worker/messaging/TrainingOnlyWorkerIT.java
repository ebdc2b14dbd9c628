package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A worker with inference off (the Kubernetes trainer-worker): it trains, is ready and live, and never joins the
 * inference group, so predictions are left to the inference workers.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(TrainingOnlyWorkerIT.TrainingOnly.class)
class TrainingOnlyWorkerIT {

    public static class TrainingOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("transferlab.worker.inference", "false", "transferlab.backbone.allow-random-weights", "true");
        }
    }

    @Test
    void trainsAJobAndLeavesPredictionsAlone() throws Exception {
        String dataset = RealBroker.putDataset("datasets/acme/ds-roles/files/", 4);
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "req-roles", Messages.toJson(
                    InferenceRequest.of("req-roles", "acme", "no-such-model", new byte[8])))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, "job-roles", Messages.toJson(
                    TrainingRequest.of("job-roles", "acme", dataset, RealBroker.TINY, RealBroker.QUICK))))
                    .get(30, TimeUnit.SECONDS);
        }

        List<TrainingEvent> events = RealBroker.eventsUntilTheEnd("job-roles");
        assertThat(events.get(events.size() - 1).type()).as(events.toString()).isEqualTo(TrainingEventType.COMPLETED);

        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(RealBroker.groups()).contains("transferlab-trainers").doesNotContain("transferlab-inference");
        assertThat(RealBroker.count(Topics.INFERENCE_RESULTS)).as("predictions answered").isZero();
    }
}
