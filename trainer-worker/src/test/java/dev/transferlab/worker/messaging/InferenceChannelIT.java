package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's inference channel against a real broker: it survives every record and answers the next request, and
 * a claim-checked request whose image cannot be read is answered with why.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
class InferenceChannelIT {

    @Test
    void aTwoMegabyteGarbageRecordIsDeadLetteredWithItsReasonAndTheNextRequestIsAnswered() throws Exception {
        RealBroker.awaitAssignment("transferlab-inference");
        try (KafkaProducer<String, String> producer = producer()) {
            String garbage = "\u0001garbage ".repeat(2 * 1024 * 1024 / 9);
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "garbage", garbage)).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "late", Messages.toJson(InferenceRequest.of(
                    "late", "default", "no-such-model", new byte[8], Instant.now().minusSeconds(1)))))
                    .get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "valid", Messages.toJson(InferenceRequest.of(
                    "valid", "default", "no-such-model", new byte[8])))).get(30, TimeUnit.SECONDS);
            // A claim check whose image is gone (its asker gave up and deleted it): answered, not dead-lettered.
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "unclaimed", Messages.toJson(
                    InferenceRequest.byReference("unclaimed", "default", "no-such-model",
                            StorageLayout.inferencePayload("default", "unclaimed"), null))))
                    .get(30, TimeUnit.SECONDS);
        }

        ConsumerRecord<String, String> dead = RealBroker.first(Topics.DEAD_LETTERS, r -> "garbage".equals(r.key()));
        assertThat(dead.value()).hasSizeGreaterThan(2_000_000);
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("not JSON");

        InferenceResult late = Messages.fromJson(RealBroker.first(Topics.INFERENCE_RESULTS,
                r -> r.value().contains("\"late\"")).value(), InferenceResult.class);
        assertThat(late.error().code()).isEqualTo(InferenceResult.ErrorCode.DEADLINE_EXCEEDED);
        InferenceResult valid = Messages.fromJson(RealBroker.first(Topics.INFERENCE_RESULTS,
                r -> r.value().contains("\"valid\"")).value(), InferenceResult.class);
        assertThat(valid.error().code()).isEqualTo(InferenceResult.ErrorCode.MODEL_NOT_FOUND);
        InferenceResult unclaimed = Messages.fromJson(RealBroker.first(Topics.INFERENCE_RESULTS,
                r -> r.value().contains("\"unclaimed\"")).value(), InferenceResult.class);
        assertThat(unclaimed.error().code()).isEqualTo(InferenceResult.ErrorCode.INTERNAL);
        assertThat(unclaimed.error().detail()).contains("no longer in object storage");
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RealBroker.infra.kafkaBootstrap(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }
}
