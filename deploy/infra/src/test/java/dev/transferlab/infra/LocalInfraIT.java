package dev.transferlab.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class LocalInfraIT {
    private static final String TOPIC = "infra-check";
    private static final String BUCKET = "infra-check";
    private static final String KEY = "models/head.pt";

    @TempDir
    Path dataDir;

    @Test
    void recordAndObjectSurviveRestart() {
        // Over Kafka's 1 MiB default, as inline inference images are.
        byte[] value = new byte[2 * 1024 * 1024];
        Arrays.fill(value, (byte) 7);
        byte[] object = "weights".getBytes(StandardCharsets.UTF_8);

        try (InfraProcess infra = InfraProcess.start(dataDir)) {
            String bootstrap = infra.kafkaBootstrap();
            String endpoint = infra.s3Endpoint();
            produce(infra, value);
            assertThat(consumeOne(infra).value()).isEqualTo(value);
            try (S3Client s3 = s3(infra)) {
                s3.createBucket(b -> b.bucket(BUCKET));
                s3.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(object));
                assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)).asByteArray()).isEqualTo(object);
            }

            infra.restart();

            assertThat(infra.kafkaBootstrap()).isEqualTo(bootstrap);
            assertThat(infra.s3Endpoint()).isEqualTo(endpoint);
            assertThat(consumeOne(infra).value()).isEqualTo(value);
            try (S3Client s3 = s3(infra)) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)).asByteArray()).isEqualTo(object);
            }
        }
    }

    @Test
    void everyTopicTakesTheLargestRecordTheServicesProduceToItAndAlmostSeventeenMebibytesAreDeadLettered()
            throws Exception {
        // Over the 16 MiB of an auto-created topic, under the services' 17 MiB dead-letter records.
        byte[] value = new byte[16 * 1024 * 1024 + 512 * 1024];
        Arrays.fill(value, (byte) 3);

        try (InfraProcess infra = InfraProcess.start(dataDir)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infra.kafkaBootstrap()))) {
                for (Path service : List.of(Path.of("../../api-service"), Path.of("../../trainer-worker"))) {
                    Properties properties = properties(service.resolve("src/main/resources/application.properties"));
                    assertThat(properties.getProperty("transferlab.dead-letters.max-record-size"))
                            .isEqualTo(maxMessageBytes(admin, "transferlab.dead-letters"));
                    for (Map.Entry<String, Long> producer : producerLimits(properties).entrySet()) {
                        assertThat(Long.parseLong(maxMessageBytes(admin, producer.getKey())))
                                .as(service + " produces records up to " + producer.getValue() + " bytes to "
                                        + producer.getKey())
                                .isGreaterThanOrEqualTo(producer.getValue());
                    }
                }
            }
            produce(infra, "transferlab.dead-letters", value, 17825792);
            assertThat(consumeOne(infra, "transferlab.dead-letters").value()).isEqualTo(value);

            infra.restart();

            produce(infra, "transferlab.dead-letters", value, 17825792);
        }
    }

    @Test
    void theWorkersCommandTopicsExistBeforeAnyoneWritesThemForAPatternCreatesNone() throws Exception {
        Properties worker = properties(Path.of("../../trainer-worker/src/main/resources/application.properties"));
        Pattern commands = Pattern.compile(worker.getProperty("mp.messaging.incoming.training-requests.topic"));
        try (InfraProcess infra = InfraProcess.start(dataDir); Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()))) {
            java.util.Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).filteredOn(topic -> commands.matcher(topic).matches()).containsExactlyInAnyOrder(
                    "transferlab.training-requests", "transferlab.tenants.acme.training-requests",
                    "transferlab.tenants.globex.training-requests");
            // Batch prediction commands too, so that the first job's does not wait for the topic to be found.
            assertThat(topics).contains(worker.getProperty("mp.messaging.incoming.batch-prediction-requests.topic"));
        }
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    /** The topics a service's producers write to (outgoing channels, dead-letter queues), with max.request.size. */
    private static Map<String, Long> producerLimits(Properties properties) {
        Pattern limit = Pattern.compile("(mp\\.messaging\\.(?:outgoing|incoming)\\.[^.]+\\.(?:dead-letter-queue\\.)?)"
                + "max\\.request\\.size");
        Map<String, Long> limits = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            Matcher matcher = limit.matcher(name);
            if (matcher.matches()) {
                String topic = properties.getProperty(matcher.group(1) + "topic");
                String value = properties.getProperty(name);
                Matcher reference = Pattern.compile("\\$\\{(.+)}").matcher(value);
                limits.put(topic, Long.parseLong(reference.matches()
                        ? properties.getProperty(reference.group(1)) : value));
            }
        }
        assertThat(limits).as("the services name their producers' limits").isNotEmpty();
        return limits;
    }

    /** A topic's own max.message.bytes, or the broker's message.max.bytes that a topic created on first use gets. */
    private static String maxMessageBytes(Admin admin, String topic) throws Exception {
        if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            return config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value();
        }
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        return admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker)
                .get("message.max.bytes").value();
    }

    private static void produce(InfraProcess infra, byte[] value) {
        produce(infra, TOPIC, value, 16 * 1024 * 1024);
    }

    private static void produce(InfraProcess infra, String topic, byte[] value, int maxRequestSize) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, value)).get();
        } catch (Exception e) {
            throw new AssertionError("produce failed", e);
        }
    }

    /** A fresh group each time, so the record is read from the start of the log. */
    private static ConsumerRecord<byte[], byte[]> consumeOne(InfraProcess infra) {
        return consumeOne(infra, TOPIC);
    }

    private static ConsumerRecord<byte[], byte[]> consumeOne(InfraProcess infra, String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record on " + topic + " within 30 s");
    }

    private static S3Client s3(InfraProcess infra) {
        return S3Client.builder()
                .endpointOverride(URI.create(infra.s3Endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(infra.accessKey(), infra.secretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
