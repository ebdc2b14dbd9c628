package dev.transferlab.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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

    private static void produce(InfraProcess infra, byte[] value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(TOPIC, value)).get();
        } catch (Exception e) {
            throw new AssertionError("produce failed", e);
        }
    }

    /** A fresh group each time, so the record is read from the start of the log. */
    private static ConsumerRecord<byte[], byte[]> consumeOne(InfraProcess infra) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record on " + TOPIC + " within 30 s");
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
