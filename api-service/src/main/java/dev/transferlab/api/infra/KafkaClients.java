package dev.transferlab.api.infra;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka clients this service builds itself, besides its SmallRye channels. Each gets what every channel gets:
 * Quarkus's {@code default-kafka-broker} settings, that is all of MicroProfile Config's {@code kafka.*} with the prefix
 * taken off (environment variables too: KAFKA_SASL_JAAS_CONFIG is {@code sasl.jaas.config}). So a client built here
 * connects as the channels do, with the cluster's TLS truststore and SASL credentials, not merely to the bootstrap
 * servers.
 */
@ApplicationScoped
public class KafkaClients {
    private final Map<String, Object> settings;

    @Inject
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> settings) {
        this.settings = Map.copyOf(settings);
    }

    /** A consumer for metadata and offsets only, which joins no group and commits nothing. */
    public KafkaConsumer<byte[], byte[]> metadataConsumer() {
        return new KafkaConsumer<>(metadataConsumerConfig());
    }

    /**
     * A consumer in no group, as {@link #metadataConsumer()}, that reads committed records only (as the channels
     * that read transactionally written topics do) and whose end offsets are those such a reader reaches.
     */
    public KafkaConsumer<byte[], byte[]> committedReader() {
        Map<String, Object> config = metadataConsumerConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config);
    }

    Map<String, Object> metadataConsumerConfig() {
        Map<String, Object> config = new HashMap<>(settings);
        // Quarkus fills in the application's name when kafka.group.id is unset; without a group this consumer needs
        // no group ACL and leaves no offsets behind.
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }
}
