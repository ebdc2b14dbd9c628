package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The single-node overlay: one Kafka node, replication 1, MinIO with its bucket, CPU workers. */
class DevOverlayTest {
    private final List<ObjectNode> docs = Kubectl.build("dev");

    @Test
    void kafkaIsOneNodeInBothRolesWithReplicationOne() {
        List<ObjectNode> pools = Manifests.ofKind(docs, "KafkaNodePool");
        assertThat(pools).hasSize(1);
        assertThat(pools.get(0).path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(Manifests.texts(pools.get(0).path("spec").path("roles")))
                .containsExactlyInAnyOrder("controller", "broker");
        JsonNode config = Manifests.one(docs, "Kafka", "transferlab").path("spec").path("kafka").path("config");
        for (String key : List.of("default.replication.factor", "min.insync.replicas",
                "offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr")) {
            assertThat(config.path(key).asInt()).as(key).isEqualTo(1);
        }
    }

    @Test
    void theWorkerRunsOnTheCpuAnywhere() {
        ObjectNode worker = Manifests.one(docs, "Deployment", "trainer-worker");
        JsonNode resources = Workloads.container(worker, "trainer-worker").path("resources");
        assertThat(resources.path("requests").has("nvidia.com/gpu")).isFalse();
        assertThat(resources.path("limits").has("nvidia.com/gpu")).isFalse();
        assertThat(Workloads.podSpec(worker).has("nodeSelector")).isFalse();
        assertThat(Workloads.podSpec(worker).has("tolerations")).isFalse();
        // The base's grace period and probes are kept.
        assertThat(Workloads.podSpec(worker).path("terminationGracePeriodSeconds").asInt()).isEqualTo(180);
        assertThat(Workloads.container(worker, "trainer-worker").has("startupProbe")).isTrue();
    }

    @Test
    void oneInferenceWorkerAnswersPredictions() {
        JsonNode spec = Manifests.one(docs, "ScaledObject", "inference-worker").path("spec");
        assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(1);
        assertThat(spec.path("maxReplicaCount").asInt()).isEqualTo(1);
    }

    @Test
    void theServicesUseMinioWhoseBucketAJobCreates() {
        JsonNode common = Manifests.one(docs, "ConfigMap", "transferlab-common").path("data");
        assertThat(common.path("TRANSFERLAB_S3_ENDPOINT").asText()).isEqualTo("http://minio:9000");
        assertThat(common.path("TRANSFERLAB_S3_PATH_STYLE").asText()).isEqualTo("true");
        JsonNode service = Manifests.one(docs, "Service", "minio");
        assertThat(service.path("spec").path("ports").findValuesAsText("port")).contains("9000");
        Manifests.one(docs, "PersistentVolumeClaim", "minio");
        ObjectNode job = Manifests.one(docs, "Job", "minio-bucket");
        assertThat(Workloads.containers(job).get(0).path("command").toString())
                .contains("mc mb --ignore-existing \\\"local/$TRANSFERLAB_S3_BUCKET\\\"");
        assertThat(common.path("TRANSFERLAB_S3_BUCKET").asText()).isEqualTo("transferlab");
    }
}
