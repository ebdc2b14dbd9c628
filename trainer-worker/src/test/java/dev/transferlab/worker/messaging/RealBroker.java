package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.CloudEventAttributes;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;
import dev.transferlab.worker.ml.TestImages;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Kafka broker and S3 server (deploy/infra) for a worker started by @QuarkusTest, and the clients a test uses
 * to talk to them.
 */
public class RealBroker implements QuarkusTestResourceLifecycleManager {
    static final String BUCKET = "transferlab";
    /** A backbone and settings that train in seconds on random weights. */
    static final BackboneSpec TINY = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
    static final Hyperparameters QUICK = new Hyperparameters(2, 4, 1e-3, 16, 0.25, 1, null);
    static InfraProcess infra;

    @Override
    public Map<String, String> start() {
        infra = InfraProcess.startTemporary("worker-messaging-it");
        Map<String, String> config = new HashMap<>(infra.serviceConfig());
        config.put("transferlab.device", "cpu");
        return config;
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
    }

    /** A client of the platform bucket; close it. */
    static ObjectStore store() {
        ObjectStore store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(),
                infra.secretKey(), BUCKET));
        store.ensureBucket(BUCKET);
        return store;
    }

    /** Two classes of small generated images, {@code perClass} each, under {@code prefix}train/; returns s3://… */
    static String putDataset(String prefix, int perClass) {
        try (ObjectStore store = store()) {
            for (String label : List.of("blue", "red")) {
                for (int i = 0; i < perClass; i++) {
                    BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                    var g = image.createGraphics();
                    g.setColor(label.equals("red") ? new Color(220, 10 * i, 0) : new Color(0, 10 * i, 220));
                    g.fillRect(0, 0, 32, 32);
                    g.dispose();
                    store.put(store.inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"),
                            TestImages.png(image), "image/png");
                }
            }
        }
        return "s3://" + BUCKET + "/" + prefix;
    }

    static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    /** A consumer of its own group, from the earliest offset; close it. */
    static KafkaConsumer<String, String> consumer(String topic) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Waits until a member of the group has partitions: a consumer from the latest offset skips what came before. */
    static void awaitAssignment(String group) throws Exception {
        try (Admin admin = admin()) {
            Instant giveUp = Instant.now().plusSeconds(60);
            while (admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members()
                    .stream().allMatch(m -> m.assignment().topicPartitions().isEmpty())) {
                assertThat(Instant.now()).as("group " + group + " assigned").isBefore(giveUp);
                Thread.sleep(200);
            }
        }
    }

    /** The consumer groups the broker knows of. */
    static Set<String> groups() throws Exception {
        try (Admin admin = admin()) {
            return admin.listGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId).collect(Collectors.toSet());
        }
    }

    /** How many records the topic holds, all partitions together; none when it was never created. */
    static long count(String topic) throws Exception {
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return 0;
            }
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()));
    }

    /** The first record on the topic that matches, within 60 s. */
    static ConsumerRecord<String, String> first(String topic, Predicate<ConsumerRecord<String, String>> match) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
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

    /** A job's events up to and including its terminal one. */
    static List<TrainingEvent> eventsUntilTheEnd(String jobId) {
        try (KafkaConsumer<String, String> consumer = consumer(Topics.TRAINING_EVENTS)) {
            Instant giveUp = Instant.now().plus(Duration.ofMinutes(5));
            List<TrainingEvent> events = new ArrayList<>();
            while (Instant.now().isBefore(giveUp)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (jobId.equals(r.key())) {
                        TrainingEvent event = Messages.fromJson(r.value(), TrainingEvent.class);
                        assertCloudEvent(r, event);
                        events.add(event);
                    }
                });
                if (!events.isEmpty() && events.get(events.size() - 1).type().isTerminal()) {
                    return events;
                }
            }
            throw new AssertionError("job " + jobId + " did not end within 5 minutes; events: " + events);
        }
    }

    /** Every event record is a CloudEvent in the Kafka binding's binary mode: its attributes as ce_* headers. */
    static void assertCloudEvent(ConsumerRecord<String, String> record, TrainingEvent event) {
        CloudEventAttributes expected = CloudEventAttributes.of(event, "trainer-worker");
        assertThat(header(record, "ce_specversion")).isEqualTo(CloudEventAttributes.SPEC_VERSION);
        assertThat(header(record, "ce_id")).isEqualTo(event.eventId());
        assertThat(header(record, "ce_type")).isEqualTo(expected.type());
        assertThat(header(record, "ce_source")).isEqualTo("/transferlab/trainer-worker");
        assertThat(header(record, "ce_subject")).isEqualTo(event.jobId());
        assertThat(java.time.OffsetDateTime.parse(header(record, "ce_time")).toInstant()).isEqualTo(event.timestamp());
        assertThat(header(record, "content-type")).isEqualTo(CloudEventAttributes.DATA_CONTENT_TYPE);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        assertThat(header).as(name + " on " + record.value()).isNotNull();
        return new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
