package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.stack.SampleImages;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Records that reach the topics without passing the API: what a buggy or hostile producer could write. Each is keyed
 * uniquely, so that its dead letter is found by its key whatever became of its value. Every other field of a command
 * is valid, so that the one wrong thing is what is refused.
 */
public final class HostileRecords {
    /** The header the dead-letter topic's records carry their reason in (SmallRye's). */
    public static final String REASON_HEADER = "dead-letter-reason";
    /** Twice the Kafka clients' default request size (1 MB), which a dead-letter producer keeps unless told. */
    static final int GARBAGE_BYTES = 2 * 1024 * 1024;

    private HostileRecords() {
    }

    /**
     * Commands for the workers, each a training request that is wrong in one way; those that cost a trusting worker
     * the most come first, so that what is queued behind them shows whether they stalled it.
     */
    public static List<HostileRecord> trainingRequests(String dataset, String otherTenant) {
        List<HostileRecord> list = new ArrayList<>();
        list.add(training("null inside blockConfig", dataset,
                r -> ((ObjectNode) r.get("backbone")).putArray("blockConfig").addNull().add(2), "blockConfig"));
        list.add(training("a DenseNet of billions of parameters", dataset, r -> {
            ObjectNode backbone = (ObjectNode) r.get("backbone");
            backbone.put("growthRate", 4096);
            backbone.putArray("blockConfig").add(64).add(64).add(64).add(64);
        }, "parameter", "backbone"));
        list.add(raw("not JSON", Topics.TRAINING_REQUESTS, text("this is not a training request"), "JSON"));
        list.add(raw("2 MB of garbage", Topics.TRAINING_REQUESTS, garbage(1)));
        list.add(training("schema version 99", dataset, r -> r.put("schemaVersion", 99), "version"));
        list.add(training("no schema version", dataset, r -> r.remove("schemaVersion"), "schema"));
        list.add(training("a jobId with ../", dataset,
                r -> r.put("jobId", "../" + otherTenant + "/job-" + UUID.randomUUID()), "jobId"));
        list.add(training("a jobId with characters outside the id rule", dataset,
                r -> r.put("jobId", "job-\u00ff <script>"), "jobId"));
        list.add(training("a tenant with bad characters", dataset, r -> r.put("tenant", "Tenant B/../x"), "tenant"));
        return List.copyOf(list);
    }

    /** Predictions for the workers, each an inference request that is wrong in one way. */
    public static List<HostileRecord> inferenceRequests(String tenant, String modelId, String otherTenant) {
        List<HostileRecord> list = new ArrayList<>();
        list.add(raw("not JSON", Topics.INFERENCE_REQUESTS, text("this is not an inference request"), "JSON"));
        list.add(raw("2 MB of garbage", Topics.INFERENCE_REQUESTS, garbage(2)));
        list.add(inference("schema version 99", tenant, modelId, r -> r.put("schemaVersion", 99), "version"));
        list.add(inference("no schema version", tenant, modelId, r -> r.remove("schemaVersion"), "schema"));
        list.add(inference("a modelId with ../ to another tenant's model", "default", modelId,
                r -> r.put("modelId", "../" + otherTenant + "/" + modelId), "modelId"));
        list.add(inference("a tenant with bad characters", tenant, modelId, r -> r.put("tenant", "Tenant B/../x"),
                "tenant"));
        list.add(inference("a requestId with characters outside the id rule", tenant, modelId,
                r -> r.put("requestId", "inf-\u00ff <script>"), "requestId"));
        return List.copyOf(list);
    }

    /** Events no worker would publish, for the api-service's projection. */
    public static List<HostileRecord> events() {
        String ghost = "job-" + UUID.randomUUID();
        List<HostileRecord> list = new ArrayList<>();
        list.add(raw("epoch-completed without metrics for an unknown job", Topics.TRAINING_EVENTS, text("""
                {"schemaVersion": 1, "type": "epoch-completed", "eventId": "%s:epoch-completed:1", "jobId": "%s",
                 "tenant": "default", "timestamp": "%s"}""".formatted(ghost, ghost, Instant.now()))));
        list.add(raw("not JSON", Topics.TRAINING_EVENTS, text("this is not an event"), "JSON"));
        list.add(raw("an unknown type", Topics.TRAINING_EVENTS, text("""
                {"schemaVersion": 1, "type": "exploded", "eventId": "%s:exploded", "jobId": "%s",
                 "tenant": "default", "timestamp": "%s"}""".formatted(ghost, ghost, Instant.now())), "type"));
        list.add(raw("accepted without its request", Topics.TRAINING_EVENTS, text("""
                {"schemaVersion": 1, "type": "accepted", "eventId": "%s-a:accepted", "jobId": "%s-a",
                 "tenant": "default", "timestamp": "%s"}""".formatted(ghost, ghost, Instant.now()))));
        list.add(raw("completed for a jobId with ../", Topics.TRAINING_EVENTS, text("""
                {"schemaVersion": 1, "type": "completed", "eventId": "../x:completed", "jobId": "../x",
                 "tenant": "default", "timestamp": "%s", "modelId": "../x"}""".formatted(Instant.now()))));
        return List.copyOf(list);
    }

    /** Puts the records on their topics and waits until the broker has them. */
    public static void send(String bootstrap, Collection<HostileRecord> records) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * GARBAGE_BYTES,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            for (HostileRecord r : records) {
                producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value())).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a hostile record: " + e.getCause(), e);
        }
    }

    /**
     * The dead-letter reasons of the records with these keys, read from the start of the dead-letter topic until
     * every key is found or the timeout has passed; a key missing from the answer was not dead-lettered (yet).
     */
    public static Map<String, String> deadLetterReasons(String bootstrap, Collection<String> keys, Duration timeout) {
        Set<String> wanted = new HashSet<>(keys);
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * GARBAGE_BYTES,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            Instant deadline = Instant.now().plus(timeout);
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && Instant.now().isBefore(deadline)) {
                // The topic exists once the first record is dead-lettered.
                partitions = consumer.listTopics(Duration.ofSeconds(5)).getOrDefault(Topics.DEAD_LETTERS, List.of())
                        .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (partitions.isEmpty()) {
                return reasons;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!reasons.keySet().containsAll(wanted) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && wanted.contains(r.key())) {
                        Header reason = r.headers().lastHeader(REASON_HEADER);
                        reasons.put(r.key(), reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return reasons;
    }

    private static HostileRecord raw(String kind, String topic, byte[] value, String... mentions) {
        return new HostileRecord(kind, topic, "hostile-" + UUID.randomUUID(), value, List.of(mentions));
    }

    private static HostileRecord training(String kind, String dataset, Consumer<ObjectNode> spoil,
                                          String... mentions) {
        TrainingRequest valid = TrainingRequest.of("job-" + UUID.randomUUID(), "default", dataset,
                new BackboneSpec(BackboneSpec.DENSENET, 8, List.of(2, 2), 16, 2),
                new Hyperparameters(1, 4, 0.003, 16, 0.25, 3, null));
        ObjectNode json = Messages.mapper().valueToTree(valid);
        spoil.accept(json);
        return raw(kind, Topics.TRAINING_REQUESTS, text(Messages.toJson(json)), mentions);
    }

    private static HostileRecord inference(String kind, String tenant, String modelId, Consumer<ObjectNode> spoil,
                                           String... mentions) {
        InferenceRequest valid = InferenceRequest.of("inf-" + UUID.randomUUID(), tenant, modelId,
                SampleImages.png("ocean", 6));
        ObjectNode json = Messages.mapper().valueToTree(valid);
        spoil.accept(json);
        return raw(kind, Topics.INFERENCE_REQUESTS, text(Messages.toJson(json)), mentions);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] garbage(long seed) {
        byte[] bytes = new byte[GARBAGE_BYTES];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
