package dev.transferlab.api.infra;

import io.quarkus.kafka.client.runtime.KafkaRuntimeConfigProducer;
import io.quarkus.runtime.ApplicationConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client the service builds itself gets every Kafka setting the channels get. The settings are those of a
 * Kubernetes pod (deploy/k8s: the ConfigMap transferlab-common and the Deployment's Secret references), as environment
 * variables over application.properties, turned into the channels' settings by Quarkus's own producer of them.
 */
class KafkaClientsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"api-service\" password=\"pod-secret\";";
    private static final Map<String, String> POD_ENV = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "transferlab-kafka-bootstrap.transferlab.svc:9093",
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "KAFKA_SASL_JAAS_CONFIG", JAAS,
            "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/transferlab/kafka-ca/ca.p12",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "ca-secret");

    @Test
    void theMetadataConsumerGetsEverySettingOfTheChannelsButTheirGroup() {
        Map<String, Object> channels = channelSettings(POD_ENV);
        Map<String, Object> consumer = new KafkaClients(channels).metadataConsumerConfig();

        assertThat(consumer)
                .containsEntry("bootstrap.servers", "transferlab-kafka-bootstrap.transferlab.svc:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.location", "/etc/transferlab/kafka-ca/ca.p12")
                .containsEntry("ssl.truststore.password", "ca-secret")
                .doesNotContainKey("group.id");
        assertThat(channels).containsEntry("group.id", "transferlab-api");
        channels.remove("group.id");
        assertThat(consumer).containsAllEntriesOf(channels);
    }

    @Test
    void theConsumerItBuildsConnectsWithThoseSettings() {
        // The truststore the settings name is missing: a consumer that took only bootstrap.servers would start.
        Path missing = Path.of(System.getProperty("java.io.tmpdir"), "no-such-ca.p12");
        Map<String, String> env = new HashMap<>(POD_ENV);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9093");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", missing.toString());
        KafkaClients clients = new KafkaClients(channelSettings(env));
        assertThatThrownBy(clients::metadataConsumer).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining(missing.toString());
    }

    private static Map<String, Object> channelSettings(Map<String, String> env) {
        Config config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(Map.of("kafka.bootstrap.servers", "localhost:9092"),
                        "application.properties", 250))
                .build();
        return new KafkaRuntimeConfigProducer().createKafkaRuntimeConfig(config, new ApplicationConfig() {
            @Override
            public Optional<String> name() {
                return Optional.of("transferlab-api");
            }

            @Override
            public Optional<String> version() {
                return Optional.empty();
            }

            @Override
            public Optional<String> uiHeader() {
                return Optional.empty();
            }
        });
    }
}
