package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The production overlay as built: GPUs, graceful stops, autoscaling, Kafka's redundancy, no keys in git. */
class ProdOverlayTest {
    private final List<ObjectNode> docs = Kubectl.build("prod");
    private final ObjectNode worker = Manifests.one(docs, "Deployment", "trainer-worker");

    @Test
    void theWorkerGetsOneGpuOnAGpuNode() {
        JsonNode resources = Workloads.container(worker, "trainer-worker").path("resources");
        assertThat(resources.path("requests").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(resources.path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        JsonNode pod = Workloads.podSpec(worker);
        assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.present").asText()).isEqualTo("true");
        assertThat(pod.path("tolerations")).anySatisfy(t -> {
            assertThat(t.path("key").asText()).isEqualTo("nvidia.com/gpu");
            assertThat(t.path("effect").asText()).isEqualTo("NoSchedule");
        });
        assertThat(env(Workloads.container(worker, "trainer-worker"), "TRANSFERLAB_DEVICE")).isEqualTo("auto");
    }

    @Test
    void theWorkerHasTimeToCheckpointWhenStopped() {
        int grace = Workloads.podSpec(worker).path("terminationGracePeriodSeconds").asInt();
        assertThat(grace).isGreaterThanOrEqualTo(120);
        String shutdown = Manifests.one(docs, "ConfigMap", "trainer-worker").path("data")
                .path("QUARKUS_SHUTDOWN_TIMEOUT").asText();
        // Quarkus must give up before the kubelet's SIGKILL does.
        assertThat(Duration.parse("PT" + shutdown.toUpperCase())).isLessThan(Duration.ofSeconds(grace));
    }

    @Test
    void kedaScalesTheWorkersFromZeroOnTheTrainersLagOnEveryTrainingQueue() {
        JsonNode spec = Manifests.one(docs, "ScaledObject", "trainer-worker").path("spec");
        assertThat(spec.path("minReplicaCount").asInt(-1)).isZero();
        assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("trainer-worker");
        assertThat(spec.path("scaleTargetRef").path("kind").asText("Deployment")).isEqualTo("Deployment");
        // The api's queue and each tenant's own: a command sent straight to a tenant's topic wakes a worker too.
        List<String> queues = Manifests.ofKind(docs, "KafkaTopic").stream().map(Manifests::name)
                .filter(t -> t.endsWith(".training-requests")).toList();
        assertThat(queues).hasSizeGreaterThan(1);
        // And the batch prediction jobs' and sweeps' queues, which the same workers read in groups of their own.
        assertThat(spec.path("triggers").findValuesAsText("topic")).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(queues.stream(), java.util.stream.Stream.of(
                        "transferlab.batch-prediction-requests", "transferlab.sweep-requests")).toList());
        assertThat(spec.path("triggers")).allSatisfy(trigger -> {
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            assertThat(trigger.path("metadata").path("consumerGroup").asText()).isEqualTo(trigger.path("metadata")
                    .path("topic").asText().endsWith(".training-requests") ? "transferlab-trainers"
                    : trigger.path("metadata").path("topic").asText().endsWith(".sweep-requests")
                    ? "transferlab-sweeps" : "transferlab-batch-predictions");
            assertThat(trigger.path("metadata").path("lagThreshold").asText()).isEqualTo("1");
        });
        // Workers beyond the partition count would idle.
        JsonNode topic = Manifests.one(docs, "KafkaTopic", "transferlab.training-requests");
        assertThat(spec.path("maxReplicaCount").asInt()).isEqualTo(topic.path("spec").path("partitions").asInt());
        assertThat(spec.path("cooldownPeriod").asInt()).isGreaterThan(Workloads.podSpec(worker)
                .path("terminationGracePeriodSeconds").asInt());
        assertThat(worker.path("spec").has("replicas")).as("KEDA owns the worker count").isFalse();
    }

    @Test
    void kafkaHasThreeControllersThreeBrokersAndReplicationThree() {
        Map<String, List<String>> pools = Map.of("controllers", List.of("controller"), "brokers", List.of("broker"));
        assertThat(Manifests.ofKind(docs, "KafkaNodePool")).hasSize(2).allSatisfy(pool -> {
            assertThat(pool.path("spec").path("replicas").asInt()).isEqualTo(3);
            assertThat(Manifests.texts(pool.path("spec").path("roles")))
                    .isEqualTo(pools.get(Manifests.name(pool)));
            assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo("transferlab");
        });
        JsonNode kafka = Manifests.one(docs, "Kafka", "transferlab");
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        assertThat(config.path("default.replication.factor").asInt()).isEqualTo(3);
        assertThat(config.path("offsets.topic.replication.factor").asInt()).isEqualTo(3);
        assertThat(config.path("min.insync.replicas").asInt()).isEqualTo(2);
        assertThat(config.path("transaction.state.log.min.isr").asInt()).isEqualTo(2);
        // Topics take the broker's replication; one that set its own could undercut it.
        assertThat(Manifests.ofKind(docs, "KafkaTopic")).allSatisfy(t -> {
            assertThat(t.path("spec").has("replicas")).isFalse();
            assertThat(t.path("spec").path("config").has("min.insync.replicas")).isFalse();
        });
    }

    @Test
    void noSecretCarriesACredential() {
        List<ObjectNode> secrets = Manifests.ofKind(docs, "Secret");
        assertThat(secrets).isNotEmpty();
        for (ObjectNode secret : secrets) {
            for (String field : List.of("data", "stringData")) {
                secret.path(field).fields().forEachRemaining(e -> assertThat(e.getValue().asText())
                        .as(Manifests.name(secret) + " " + e.getKey()).isEmpty());
            }
        }
    }

    @Test
    void theApiKeepsTwoReplicasAndTakesUploadsOfTheConfiguredSize() {
        JsonNode hpa = Manifests.one(docs, "HorizontalPodAutoscaler", "api-service").path("spec");
        assertThat(hpa.path("minReplicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(Manifests.one(docs, "Deployment", "api-service").path("spec").has("replicas")).isFalse();
        JsonNode ingress = Manifests.one(docs, "Ingress", "api-service");
        String bodySize = ingress.path("metadata").path("annotations")
                .path("nginx.ingress.kubernetes.io/proxy-body-size").asText();
        String maxUpload = Manifests.one(docs, "ConfigMap", "api-service").path("data")
                .path("TRANSFERLAB_DATASETS_MAX_UPLOAD_SIZE").asText();
        assertThat(bodySize).isEqualToIgnoringCase(maxUpload);
        assertThat(ingress.path("spec").path("tls")).isNotEmpty();
    }

    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no env " + name);
    }
}
