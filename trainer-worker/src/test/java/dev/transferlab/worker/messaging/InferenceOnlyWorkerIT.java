package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A worker with training off (the Kubernetes inference-worker): it answers predictions, is ready and live, and never
 * joins the training groups, so a training command waits for a training worker.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(InferenceOnlyWorkerIT.InferenceOnly.class)
class InferenceOnlyWorkerIT {

    public static class InferenceOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("transferlab.worker.training", "false");
        }
    }

    @Test
    void answersAPredictionAndLeavesTrainingCommandsAlone() throws Exception {
        RealBroker.awaitAssignment("transferlab-inference");
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, "job-roles", Messages.toJson(
                    TrainingRequest.of("job-roles", "acme", "s3://" + RealBroker.BUCKET + "/datasets/acme/ds/files/",
                            RealBroker.TINY, RealBroker.QUICK)))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "req-roles", Messages.toJson(
                    InferenceRequest.of("req-roles", "acme", "no-such-model", new byte[8])))).get(30, TimeUnit.SECONDS);
        }

        InferenceResult answer = Messages.fromJson(RealBroker.first(Topics.INFERENCE_RESULTS,
                r -> r.value().contains("\"req-roles\"")).value(), InferenceResult.class);
        assertThat(answer.error().code()).isEqualTo(InferenceResult.ErrorCode.MODEL_NOT_FOUND);

        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // Neither the training queue's group nor a cancellations group (transferlab-control-<uuid>) was ever joined.
        assertThat(RealBroker.groups()).contains("transferlab-inference")
                .noneMatch(g -> g.equals("transferlab-trainers") || g.startsWith("transferlab-control-"));
        assertThat(RealBroker.count(Topics.TRAINING_EVENTS)).as("training events").isZero();
    }
}
