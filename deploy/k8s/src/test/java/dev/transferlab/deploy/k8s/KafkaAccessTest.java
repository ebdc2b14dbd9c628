package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The KafkaUsers' ACLs (Kafka's simple authorizer, as Strimzi's User Operator sets them): each service may do what its
 * channels in application.properties do (those its Deployment's worker roles leave enabled), the workers nothing
 * more, and the principals stay apart: the workers cannot queue commands, the api cannot take them, the inference
 * workers cannot see training, a tenant can write only to its own topics, and KEDA can only look.
 */
class KafkaAccessTest {
    private static final Pattern CHANNEL = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.connector");
    private static final Set<String> OPERATIONS = Set.of("Read", "Write", "Describe");
    private static final List<String> TRAINING_COMMANDS = List.of(Topics.TRAINING_REQUESTS, Topics.TRAINING_CONTROL);

    private final List<ObjectNode> docs = Kubectl.build("prod");

    /** What a client does: an operation on a topic or a consumer group. */
    record Use(String type, String name, String operation) {
        @Override
        public String toString() {
            return operation + " " + type + " " + name;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"api-service", "trainer-worker", "inference-worker"})
    void eachServiceMayDoWhatItsChannelsDo(String service) {
        List<Use> uses = channelUses(service);
        if (service.equals("api-service")) {
            // ProjectionCatchUp's own consumer reads the events topic's end offsets and last records, in no group.
            uses.add(new Use("topic", Topics.TRAINING_EVENTS, "Read"));
            // JobTransactions' channel writes each job's command to the command's own topic.
            for (String commands : List.of(Topics.TRAINING_REQUESTS, Topics.TRAINING_CONTROL,
                    Topics.BATCH_PREDICTION_REQUESTS, Topics.SWEEP_REQUESTS)) {
                uses.add(new Use("topic", commands, "Write"));
            }
        }
        assertThat(uses).hasSizeGreaterThanOrEqualTo(4);
        JsonNode user = user(service);
        assertThat(uses).allSatisfy(use -> assertThat(allows(user, use)).as(service + " may " + use).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-worker", "inference-worker"})
    void aWorkersUserMayDoNothingItsChannelsDoNot(String service) {
        List<Use> uses = channelUses(service);
        for (JsonNode acl : acls(user(service))) {
            JsonNode resource = acl.path("resource");
            for (String operation : Manifests.texts(acl.path("operations"))) {
                assertThat(uses).as(service + " uses " + operation + " " + resource).anySatisfy(use -> {
                    assertThat(use.operation()).isEqualTo(operation);
                    assertThat(grants(acl, use)).isTrue();
                });
            }
        }
    }

    @Test
    void theWorkersCannotQueueCommandsNorTheApiTakeThem() {
        List<String> training = new ArrayList<>(TRAINING_COMMANDS);
        training.addAll(TopicsTest.tenantTopics(Manifests.ofKind(docs, "KafkaTopic")));
        assertThat(training).hasSizeGreaterThan(TRAINING_COMMANDS.size());
        for (String topic : training) {
            assertThat(allows(user("trainer-worker"), new Use("topic", topic, "Read"))).as(topic).isTrue();
            assertThat(allows(user("inference-worker"), new Use("topic", topic, "Read"))).as(topic).isFalse();
        }
        assertThat(allows(user("inference-worker"), new Use("topic", Topics.INFERENCE_REQUESTS, "Read"))).isTrue();
        assertThat(allows(user("trainer-worker"), new Use("topic", Topics.INFERENCE_REQUESTS, "Read"))).isFalse();
        List<String> commands = new ArrayList<>(training);
        commands.add(Topics.INFERENCE_REQUESTS);
        for (String topic : commands) {
            for (String worker : List.of("trainer-worker", "inference-worker")) {
                assertThat(allows(user(worker), new Use("topic", topic, "Write"))).as(worker + " " + topic).isFalse();
            }
            assertThat(allows(user("api-service"), new Use("topic", topic, "Read"))).as(topic).isFalse();
        }
        // An inference worker neither reports nor reads a job's events, nor joins the trainers' groups.
        for (String operation : List.of("Read", "Write")) {
            assertThat(allows(user("inference-worker"), new Use("topic", Topics.TRAINING_EVENTS, operation))).isFalse();
        }
        assertThat(allows(user("inference-worker"), new Use("group", "transferlab-trainers", "Read"))).isFalse();
        assertThat(allows(user("inference-worker"), new Use("group", "transferlab-control-" + UUID.randomUUID(),
                "Read"))).isFalse();
        // The events: the workers report them, the api reads them and reports only its own (accepted, cancel-requested).
        assertThat(allows(user("trainer-worker"), new Use("topic", Topics.TRAINING_EVENTS, "Read"))).isFalse();
        assertThat(allows(user("trainer-worker"), new Use("topic", Topics.AUDIT, "Write"))).isFalse();
        // No one may take another's consumer group.
        assertThat(allows(user("api-service"), new Use("group", "transferlab-trainers", "Read"))).isFalse();
        assertThat(allows(user("trainer-worker"), new Use("group", "transferlab-api-" + UUID.randomUUID(), "Read")))
                .isFalse();
    }

    @Test
    void aTenantMayOnlyWriteToItsOwnTopics() {
        List<String> tenants = tenants();
        assertThat(tenants).contains("acme");
        for (String tenant : tenants) {
            JsonNode user = user("tenant-" + tenant);
            assertThat(user.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
            String own = TopicsTest.TENANTS + tenant + ".training-requests";
            assertThat(allows(user, new Use("topic", own, "Write"))).as(own).isTrue();
            assertThat(allows(user, new Use("topic", own, "Read"))).as(own).isFalse();
            for (String other : List.of(Topics.TRAINING_REQUESTS, Topics.TRAINING_EVENTS,
                    TopicsTest.TENANTS + "other-" + tenant + ".training-requests",
                    TopicsTest.TENANTS + tenant + "co.training-requests")) {
                assertThat(allows(user, new Use("topic", other, "Write"))).as(tenant + " writes " + other).isFalse();
            }
            assertThat(acls(user)).allSatisfy(acl -> assertThat(acl.path("resource").path("type").asText())
                    .isEqualTo("topic"));
        }
    }

    @Test
    void theScalerMayOnlyLookAtTheWorkersLag() {
        JsonNode scaler = user("trainer-worker-scaler");
        assertThat(scaler.path("spec").path("authentication").path("type").asText()).isEqualTo("tls");
        List<JsonNode> triggers = Manifests.triggers(docs);
        assertThat(triggers.stream().map(t -> t.path("metadata").path("consumerGroup").asText()).distinct())
                .containsExactlyInAnyOrder("transferlab-trainers", "transferlab-batch-predictions",
                        "transferlab-sweeps", "transferlab-inference");
        for (JsonNode trigger : triggers) {
            String topic = trigger.path("metadata").path("topic").asText();
            String group = trigger.path("metadata").path("consumerGroup").asText();
            assertThat(allows(scaler, new Use("topic", topic, "Describe"))).as(topic).isTrue();
            assertThat(allows(scaler, new Use("group", group, "Describe"))).as(group).isTrue();
            assertThat(allows(scaler, new Use("topic", topic, "Read"))).as(topic).isFalse();
        }
        assertThat(acls(scaler)).allSatisfy(acl -> assertThat(Manifests.texts(acl.path("operations")))
                .containsExactly("Describe"));
    }

    @Test
    void everyUserIsOfTheClusterAndAllowsOnlyReadWriteOrDescribe() {
        List<ObjectNode> users = Manifests.ofKind(docs, "KafkaUser");
        List<String> expected = new ArrayList<>(List.of("api-service", "trainer-worker", "inference-worker",
                "trainer-worker-scaler"));
        tenants().forEach(t -> expected.add("tenant-" + t));
        assertThat(users).extracting(Manifests::name).containsExactlyInAnyOrderElementsOf(expected);
        for (ObjectNode user : users) {
            assertThat(user.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo("transferlab");
            assertThat(user.path("spec").path("authorization").path("type").asText()).isEqualTo("simple");
            assertThat(acls(user)).isNotEmpty().allSatisfy(acl -> {
                assertThat(acl.path("type").asText("allow")).isEqualTo("allow");
                assertThat(acl.has("host")).isFalse();
                assertThat(Manifests.texts(acl.path("operations"))).isNotEmpty().isSubsetOf(OPERATIONS);
            });
        }
    }

    /**
     * The topic and group operations of a service's enabled Kafka channels, as its application.properties and its
     * Deployment configure them.
     */
    private List<Use> channelUses(String service) {
        Properties props = ConfigPropertiesTest.effectiveProperties(docs, service);
        String defaultGroup = props.getProperty("quarkus.application.name");
        List<Use> uses = new ArrayList<>();
        for (String key : props.stringPropertyNames()) {
            Matcher m = CHANNEL.matcher(key);
            if (!m.matches() || !props.getProperty(key).equals("smallrye-kafka")) {
                continue;
            }
            String prefix = "mp.messaging." + m.group(1) + "." + m.group(2) + ".";
            if (!Boolean.parseBoolean(props.getProperty(prefix + "enabled", "true"))) {
                continue;
            }
            List<String> topics = topics(props, prefix, m.group(2));
            if (m.group(1).equals("incoming")) {
                topics.forEach(t -> uses.add(new Use("topic", t, "Read")));
                uses.add(new Use("group", group(props.getProperty(prefix + "group.id", defaultGroup)), "Read"));
                if ("dead-letter-queue".equals(props.getProperty(prefix + "failure-strategy"))) {
                    uses.add(new Use("topic", props.getProperty(prefix + "dead-letter-queue.topic"), "Write"));
                }
            } else {
                topics.forEach(t -> uses.add(new Use("topic", t, "Write")));
                String transactionalId = props.getProperty(prefix + "transactional.id");
                if (transactionalId != null) {
                    uses.add(new Use("transactionalId", group(transactionalId), "Write"));
                }
                String replies = props.getProperty(prefix + "reply.topic");
                if (replies != null) {
                    // The request-reply emitter's reply consumer, in the application's default group.
                    uses.add(new Use("topic", replies, "Read"));
                    uses.add(new Use("group", group(props.getProperty(prefix + "reply.group.id", defaultGroup)),
                            "Read"));
                }
            }
        }
        return uses;
    }

    /** The channel's topic, or with {@code pattern=true} every KafkaTopic its regular expression matches. */
    private List<String> topics(Properties props, String prefix, String channel) {
        String topic = props.getProperty(prefix + "topic", channel);
        if (!Boolean.parseBoolean(props.getProperty(prefix + "pattern", "false"))) {
            return new ArrayList<>(List.of(topic));
        }
        List<String> matched = Manifests.ofKind(docs, "KafkaTopic").stream().map(Manifests::name)
                .filter(name -> name.matches(topic)).toList();
        assertThat(matched).as(prefix + "topic matches a KafkaTopic").isNotEmpty();
        return new ArrayList<>(matched);
    }

    /** A group id as a running service has it: {@code ${quarkus.uuid}} is new for each process. */
    private static String group(String configured) {
        return configured.replace("${quarkus.uuid}", UUID.randomUUID().toString());
    }

    /** The tenants onboarded for direct producers: one per command topic transferlab.tenants.<tenant>.*. */
    private List<String> tenants() {
        return TopicsTest.tenantTopics(Manifests.ofKind(docs, "KafkaTopic")).stream()
                .map(t -> t.substring(TopicsTest.TENANTS.length(), t.indexOf('.', TopicsTest.TENANTS.length())))
                .distinct().toList();
    }

    private JsonNode user(String name) {
        return Manifests.one(docs, "KafkaUser", name);
    }

    private static List<JsonNode> acls(JsonNode user) {
        List<JsonNode> acls = new ArrayList<>();
        user.path("spec").path("authorization").path("acls").forEach(acls::add);
        return acls;
    }

    /** Kafka's rule: an ACL on the resource (literal name, or prefix of it) with the operation, or one implying it. */
    static boolean allows(JsonNode user, Use use) {
        return acls(user).stream().anyMatch(acl -> grants(acl, use));
    }

    /** Whether this one ACL rule allows the use. */
    private static boolean grants(JsonNode acl, Use use) {
        JsonNode resource = acl.path("resource");
        String name = resource.path("name").asText();
        boolean prefix = resource.path("patternType").asText("literal").equals("prefix");
        boolean matches = resource.path("type").asText().equals(use.type())
                && (prefix ? use.name().startsWith(name) : use.name().equals(name));
        List<String> operations = Manifests.texts(acl.path("operations"));
        boolean implied = use.operation().equals("Describe")
                && (operations.contains("Read") || operations.contains("Write"));
        return matches && (operations.contains(use.operation()) || operations.contains("All") || implied);
    }
}
