package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.infra.InfraProcess;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The prod overlay's SCRAM KafkaUsers and their ACLs, applied as Strimzi's User Operator would to a real broker whose
 * SCRAM listener runs Kafka's authorizer: a tenant's principal writes its own command topic and nothing else, so a
 * command on a tenant's topic comes from that tenant (the workers check the rest), only the api-service's
 * principal queues commands on the main topic, and an inference worker's cannot read training commands.
 */
class KafkaUsersOnABrokerIT {
    private static final String ACME_TOPIC = Topics.tenantTrainingRequests("acme");
    private static final String GLOBEX_TOPIC = Topics.tenantTrainingRequests("globex");

    @TempDir
    static Path data;
    static InfraProcess broker;

    @BeforeAll
    static void applyTheKafkaUsers() throws Exception {
        broker = InfraProcess.startWithScram(data);
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (ObjectNode user : scramUsers()) {
            String name = user.at("/metadata/name").asText();
            users.add(new UserScramCredentialUpsertion(name,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(name)));
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                for (JsonNode operation : acl.get("operations")) {
                    acls.add(binding(name, acl.get("resource"), operation.asText()));
                }
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.kafkaBootstrap()))) {
            admin.alterUserScramCredentials(users).all().get();
            admin.createAcls(acls).all().get();
            // The local broker creates the command, events and dead-letter topics; this one is written below.
            admin.createTopics(List.of(new NewTopic(Topics.INFERENCE_RESULTS, Optional.empty(), Optional.empty())))
                    .all().get();
        }
        // Credentials and ACLs reach the broker's authorizer through its metadata log, a moment after they are made.
        awaitWritable("tenant-acme", ACME_TOPIC);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aTenantsPrincipalWritesItsOwnCommandTopicAndNoOther() {
        assertThat(scramUsers()).extracting(u -> u.at("/metadata/name").asText()).contains("tenant-acme",
                "api-service", "trainer-worker");
        try (KafkaProducer<String, String> acme = producer("tenant-acme")) {
            assertThatThrownBy(() -> send(acme, GLOBEX_TOPIC)).hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> send(acme, Topics.TRAINING_REQUESTS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> send(acme, Topics.TRAINING_EVENTS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void onlyTheApiServiceQueuesCommandsOnTheMainTopic() throws Exception {
        try (KafkaProducer<String, String> api = producer("api-service")) {
            send(api, Topics.TRAINING_REQUESTS);
        }
        try (KafkaProducer<String, String> worker = producer("trainer-worker")) {
            assertThatThrownBy(() -> send(worker, Topics.TRAINING_REQUESTS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> send(worker, ACME_TOPIC)).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void anInferenceWorkersPrincipalAnswersPredictionsButCannotReadTrainingCommands() throws Exception {
        awaitWritable("inference-worker", Topics.INFERENCE_RESULTS);
        try (KafkaProducer<String, String> inference = producer("inference-worker")) {
            assertThatThrownBy(() -> send(inference, Topics.TRAINING_EVENTS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> inference = consumer("inference-worker", "transferlab-inference")) {
            inference.assign(List.of(new TopicPartition(Topics.TRAINING_REQUESTS, 0)));
            assertThatThrownBy(() -> inference.poll(Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static List<ObjectNode> scramUsers() {
        return Kubectl.build("prod").stream()
                .filter(d -> d.path("kind").asText().equals("KafkaUser"))
                .filter(d -> d.at("/spec/authentication/type").asText().equals("scram-sha-512"))
                .toList();
    }

    /** One Strimzi ACL rule ({@code type}, {@code name}, {@code patternType}; one operation) as Kafka's binding. */
    private static AclBinding binding(String user, JsonNode resource, String operation) {
        ResourceType type = ResourceType.fromString(resource.get("type").asText().replace("transactionalId",
                "transactional_id").toUpperCase(Locale.ROOT));
        String name = type == ResourceType.CLUSTER ? "kafka-cluster" : resource.get("name").asText();
        PatternType pattern = resource.path("patternType").asText("literal").equals("prefix")
                ? PatternType.PREFIXED : PatternType.LITERAL;
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry("User:" + user, "*",
                AclOperation.fromString(operation.toUpperCase(Locale.ROOT)), AclPermissionType.ALLOW));
    }

    private static void awaitWritable(String user, String topic) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        try (KafkaProducer<String, String> producer = producer(user)) {
            while (true) {
                try {
                    send(producer, topic);
                    return;
                } catch (ExecutionException e) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new AssertionError(user + " could never write " + topic, e);
                    }
                    Thread.sleep(250);
                }
            }
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic) throws ExecutionException,
            InterruptedException {
        producer.send(new ProducerRecord<>(topic, "job-acl", "{}")).get();
    }

    private static KafkaProducer<String, String> producer(String user) {
        return new KafkaProducer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.scramBootstrap(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512",
                SaslConfigs.SASL_JAAS_CONFIG, jaas(user),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    private static KafkaConsumer<String, String> consumer(String user, String group) {
        return new KafkaConsumer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.scramBootstrap(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512",
                SaslConfigs.SASL_JAAS_CONFIG, jaas(user),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
    }

    private static String jaas(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password(user) + "\";";
    }

    private static String password(String user) {
        return user + "-secret";
    }
}
