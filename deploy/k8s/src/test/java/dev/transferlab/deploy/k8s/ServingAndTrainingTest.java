package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.common.messages.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Predictions and training run in Deployments of their own, from one image: the inference workers keep at least one
 * replica and scale on the prediction requests' lag; the training workers scale to zero on the training queues'.
 */
class ServingAndTrainingTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;
    private static final Pattern CHANNEL = Pattern.compile("(mp\\.messaging\\.(?:incoming|outgoing)\\.([^.]+)\\.)connector");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachWorkerRunsOnlyItsOwnRoleFromTheSameImage(String overlay) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        assertThat(enabledChannels(docs, "trainer-worker"))
                .containsExactlyInAnyOrder("training-requests", "training-control", "training-events",
                        "batch-prediction-requests", "sweep-requests", "sweep-trials", "sweep-trial-requests");
        assertThat(enabledChannels(docs, "inference-worker"))
                .containsExactlyInAnyOrder("inference-requests", "inference-results");
        assertThat(image(docs, "inference-worker")).isEqualTo(image(docs, "trainer-worker"));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theInferenceWorkersKeepOneReplicaAndScaleOnTheirLag(String overlay) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        JsonNode spec = Manifests.one(docs, "ScaledObject", "inference-worker").path("spec");
        assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("inference-worker");
        assertThat(spec.path("minReplicaCount").asInt()).isGreaterThanOrEqualTo(1);
        Properties worker = ConfigPropertiesTest.effectiveProperties(docs, "inference-worker");
        assertThat(spec.path("triggers")).singleElement().satisfies(trigger -> {
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            assertThat(trigger.path("metadata").path("topic").asText())
                    .isEqualTo(worker.getProperty("mp.messaging.incoming.inference-requests.topic"))
                    .isEqualTo(Topics.INFERENCE_REQUESTS);
            assertThat(trigger.path("metadata").path("consumerGroup").asText())
                    .isEqualTo(worker.getProperty("mp.messaging.incoming.inference-requests.group.id"));
            assertThat(trigger.path("metadata").path("offsetResetPolicy").asText())
                    .isEqualTo(worker.getProperty("mp.messaging.incoming.inference-requests.auto.offset.reset"));
        });
        JsonNode topic = Manifests.one(docs, "KafkaTopic", Topics.INFERENCE_REQUESTS);
        assertThat(spec.path("maxReplicaCount").asInt()).isBetween(spec.path("minReplicaCount").asInt(),
                topic.path("spec").path("partitions").asInt());
        assertThat(Manifests.one(docs, "Deployment", "inference-worker").path("spec").has("replicas"))
                .as("KEDA owns the inference worker count").isFalse();
        // Requests in flight are answered before the kubelet's SIGKILL.
        String shutdown = Manifests.one(docs, "ConfigMap", "inference-worker").path("data")
                .path("QUARKUS_SHUTDOWN_TIMEOUT").asText();
        assertThat(Duration.parse("PT" + shutdown.toUpperCase())).isLessThan(Duration.ofSeconds(
                Workloads.podSpec(Manifests.one(docs, "Deployment", "inference-worker"))
                        .path("terminationGracePeriodSeconds").asInt()));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theTrainingWorkersScaleToZero(String overlay) {
        JsonNode spec = Manifests.one(Kubectl.build(overlay), "ScaledObject", "trainer-worker").path("spec");
        assertThat(spec.path("minReplicaCount").asInt(-1)).isZero();
        assertThat(spec.path("triggers").findValuesAsText("consumerGroup"))
                .containsOnly("transferlab-trainers", "transferlab-batch-predictions", "transferlab-sweeps");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theInferenceWorkersRunOnTheCpuWithTheTrainersWeights(String overlay) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        ObjectNode worker = Manifests.one(docs, "Deployment", "inference-worker");
        JsonNode resources = Workloads.container(worker, "inference-worker").path("resources");
        assertThat(resources.path("requests").has("nvidia.com/gpu")).isFalse();
        assertThat(resources.path("limits").has("nvidia.com/gpu")).isFalse();
        assertThat(Workloads.podSpec(worker).has("nodeSelector")).isFalse();
        // A model's head was trained on the features of the trainers' backbone weights.
        assertThat(weights(docs, "inference-worker")).isNotEmpty().isEqualTo(weights(docs, "trainer-worker"));
    }

    /** The Kafka channels a worker's roles leave enabled. */
    private static Set<String> enabledChannels(List<ObjectNode> docs, String worker) {
        Properties props = ConfigPropertiesTest.effectiveProperties(docs, worker);
        Set<String> enabled = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            Matcher m = CHANNEL.matcher(key);
            if (m.matches() && Boolean.parseBoolean(props.getProperty(m.group(1) + "enabled", "true"))) {
                enabled.add(m.group(2));
            }
        }
        return enabled;
    }

    private static String image(List<ObjectNode> docs, String deployment) {
        return Workloads.containers(Manifests.one(docs, "Deployment", deployment)).get(0).path("image").asText();
    }

    private static String weights(List<ObjectNode> docs, String worker) {
        JsonNode container = Workloads.container(Manifests.one(docs, "Deployment", worker), worker);
        return Workloads.env(docs, container).get("TRANSFERLAB_BACKBONE_WEIGHTS").asText();
    }
}
