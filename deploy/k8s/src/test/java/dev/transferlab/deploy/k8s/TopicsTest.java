package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Topics;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The KafkaTopics create exactly the services' topics and the onboarded tenants' command topics, with the retention
 * each one's use needs.
 */
class TopicsTest {
    static final String TENANTS = "transferlab.tenants.";
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final Pattern TENANT_COMMANDS = Pattern.compile(
            Pattern.quote(TENANTS) + "[a-z0-9][a-z0-9-]*" + Pattern.quote(".training-requests"));
    private final List<ObjectNode> topics = Manifests.ofKind(Kubectl.build("prod"), "KafkaTopic");

    @Test
    void theTopicsAreThoseOfTheCommonContractAndTheTenantsCommandTopics() {
        // Its public String constants that are topic names (a subscription pattern is none).
        List<String> contract = Arrays.stream(Topics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(TopicsTest::value).filter(v -> TOPIC_NAME.matcher(v).matches()).toList();
        assertThat(contract).hasSize(10);
        List<String> names = topics.stream().map(TopicsTest::topicName).toList();
        assertThat(names.stream().filter(n -> !n.startsWith(TENANTS))).containsExactlyInAnyOrderElementsOf(contract);
        assertThat(tenantTopics(topics)).contains("transferlab.tenants.acme.training-requests")
                .allSatisfy(n -> assertThat(n).matches(TENANT_COMMANDS));
        assertThat(topics).allSatisfy(t -> assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster")
                .asText()).isEqualTo("transferlab"));
    }

    @Test
    void retentionFitsEachTopicsUse() {
        // The api's job store is the system of record for job history; the topic holds what the store has yet to
        // take in, whole (no compaction, no size limit), for a week.
        JsonNode events = config(Topics.TRAINING_EVENTS);
        assertThat(Duration.ofMillis(events.path("retention.ms").asLong())).isEqualTo(Duration.ofDays(7));
        assertThat(events.path("retention.bytes").asLong(-1)).isEqualTo(-1);
        assertThat(events.path("cleanup.policy").asText("delete")).isEqualTo("delete");
        // A cancellation must outlive the queued command it cancels, a tenant's own command included.
        long commands = config(Topics.TRAINING_REQUESTS).path("retention.ms").asLong();
        assertThat(config(Topics.TRAINING_CONTROL).path("retention.ms").asLong()).isGreaterThanOrEqualTo(commands);
        assertThat(tenantTopics(topics)).allSatisfy(t -> assertThat(config(t).path("retention.ms").asLong())
                .as(t).isEqualTo(commands));
        // Who did what is kept beyond a year.
        assertThat(Duration.ofMillis(config(Topics.AUDIT).path("retention.ms").asLong()))
                .isGreaterThanOrEqualTo(Duration.ofDays(366));
        // The broker bounds prediction requests from any writer, and the dead letters take the largest of them.
        for (String topic : List.of(Topics.INFERENCE_REQUESTS, Topics.DEAD_LETTERS)) {
            assertThat(config(topic).path("max.message.bytes").asInt()).as(topic).isGreaterThanOrEqualTo(16 << 20);
        }
        // Requests and answers are useless after the api's 30 s timeout: hours, not days.
        for (String topic : List.of(Topics.INFERENCE_REQUESTS, Topics.INFERENCE_RESULTS)) {
            assertThat(config(topic).path("retention.ms").asLong()).as(topic).isBetween(60_000L, 86_400_000L);
        }
        assertThat(topics).allSatisfy(t -> assertThat(t.path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("delete"));
    }

    /** The onboarded tenants' command topics. */
    static List<String> tenantTopics(List<ObjectNode> topics) {
        return topics.stream().map(TopicsTest::topicName).filter(n -> n.startsWith(TENANTS)).toList();
    }

    private JsonNode config(String topic) {
        return topics.stream().filter(t -> topicName(t).equals(topic)).findFirst().orElseThrow()
                .path("spec").path("config");
    }

    private static String topicName(JsonNode topic) {
        return topic.path("spec").path("topicName").asText(Manifests.name(topic));
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
