package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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
        awaitAssignment("transferlab-inference");
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

        ConsumerRecord<String, String> dead = first(Topics.DEAD_LETTERS, r -> "garbage".equals(r.key()));
        assertThat(dead.value()).hasSizeGreaterThan(2_000_000);
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("not JSON");

        InferenceResult late = Messages.fromJson(first(Topics.INFERENCE_RESULTS, r -> r.value().contains("\"late\""))
                .value(), InferenceResult.class);
        assertThat(late.error().code()).isEqualTo(InferenceResult.ErrorCode.DEADLINE_EXCEEDED);
        InferenceResult valid = Messages.fromJson(first(Topics.INFERENCE_RESULTS,
                r -> r.value().contains("\"valid\"")).value(), InferenceResult.class);
        assertThat(valid.error().code()).isEqualTo(InferenceResult.ErrorCode.MODEL_NOT_FOUND);
        InferenceResult unclaimed = Messages.fromJson(first(Topics.INFERENCE_RESULTS,
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

    /** The inference consumer reads from the latest offset: records sent before it has its partition are not for it. */
    private static void awaitAssignment(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealBroker.infra.kafkaBootstrap()))) {
            Instant giveUp = Instant.now().plusSeconds(60);
            while (admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members()
                    .stream().allMatch(m -> m.assignment().topicPartitions().isEmpty())) {
                assertThat(Instant.now()).as("group " + group + " assigned").isBefore(giveUp);
                Thread.sleep(200);
            }
        }
    }

    private static ConsumerRecord<String, String> first(String topic, Predicate<ConsumerRecord<String, String>> match) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RealBroker.infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(32 << 20),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            Instant giveUp = Instant.now().plusSeconds(60);
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            while (Instant.now().isBefore(giveUp)) {
                consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                Optional<ConsumerRecord<String, String>> found = seen.stream().filter(match).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
            throw new AssertionError("nothing matching on " + topic + " within 60 s; saw " + seen.size());
        }
    }
}
