package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Topic names are spelled once, in common's {@link Topics}: every topic the services' channels name, and every topic
 * of the KafkaUsers' ACLs and of the KEDA triggers, is one of its constants (or a tenant's command topic, which its
 * pattern matches); and every consumer of a topic the api-service writes in transactions reads committed records only.
 */
class ChannelTopicsTest {
    private static final Pattern CHANNEL_TOPIC = Pattern.compile(
            "mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topic|dead-letter-queue\\.topic|reply\\.topic)");
    /** What JobTransactions writes: a job's event and its command, together. */
    private static final Set<String> TRANSACTIONAL = Set.of(Topics.TRAINING_EVENTS, Topics.TRAINING_REQUESTS,
            Topics.TRAINING_CONTROL, Topics.BATCH_PREDICTION_REQUESTS, Topics.SWEEP_REQUESTS);
    private final List<ObjectNode> docs = Kubectl.build("prod");

    @ParameterizedTest
    @ValueSource(strings = {"api-service", "trainer-worker"})
    void everyChannelsTopicIsOneOfTheContract(String service) {
        Properties props = ConfigPropertiesTest.applicationProperties(service);
        List<String> named = new ArrayList<>();
        for (String key : props.stringPropertyNames()) {
            if (CHANNEL_TOPIC.matcher(key).matches()) {
                named.add(props.getProperty(key));
            }
        }
        assertThat(named).hasSizeGreaterThan(3);
        List<String> allowed = new ArrayList<>(contractTopics());
        allowed.add(Topics.TRAINING_REQUESTS_PATTERN);
        assertThat(named).as(service).isSubsetOf(allowed);
    }

    @Test
    void everyTopicOfTheManifestsIsOneOfTheContract() {
        List<String> named = new ArrayList<>();
        for (ObjectNode user : Manifests.ofKind(docs, "KafkaUser")) {
            user.path("spec").path("authorization").path("acls").forEach(acl -> {
                JsonNode resource = acl.path("resource");
                if (resource.path("type").asText().equals("topic")
                        && resource.path("patternType").asText("literal").equals("literal")) {
                    named.add(resource.path("name").asText());
                }
            });
        }
        Manifests.triggers(docs).forEach(t -> named.add(t.path("metadata").path("topic").asText()));
        assertThat(named).hasSizeGreaterThan(10).allSatisfy(topic -> assertThat(
                contractTopics().contains(topic) || Topics.tenantOfTrainingRequests(topic).isPresent())
                .as(topic).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"api-service", "trainer-worker", "inference-worker"})
    void everyConsumerOfATransactionalTopicReadsCommittedRecordsOnly(String service) {
        Properties props = ConfigPropertiesTest.effectiveProperties(docs, service);
        for (String key : props.stringPropertyNames()) {
            Matcher m = CHANNEL_TOPIC.matcher(key);
            if (!m.matches() || !m.group(1).equals("incoming") || !m.group(3).equals("topic")) {
                continue;
            }
            String prefix = "mp.messaging.incoming." + m.group(2) + ".";
            String topic = props.getProperty(key);
            boolean transactional = Boolean.parseBoolean(props.getProperty(prefix + "pattern", "false"))
                    ? TRANSACTIONAL.stream().anyMatch(t -> t.matches(topic)) : TRANSACTIONAL.contains(topic);
            if (transactional) {
                assertThat(props.getProperty(prefix + "isolation.level")).as(service + " " + prefix)
                        .isEqualTo("read_committed");
            }
        }
    }

    @Test
    void eachApiReplicaHasATransactionalIdOfItsOwn() {
        Properties props = ConfigPropertiesTest.effectiveProperties(docs, "api-service");
        // Two producers with one id fence each other: only a per-process part keeps replicas apart.
        assertThat(props.getProperty("mp.messaging.outgoing.job-records.transactional.id"))
                .contains("${quarkus.uuid}");
    }

    private static List<String> contractTopics() {
        return Arrays.stream(Topics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .filter(f -> !f.getName().endsWith("_PATTERN")).map(ChannelTopicsTest::value).toList();
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
