package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each overlay builds with kubectl's kustomize into one namespace's complete, labelled set of resources. */
class KustomizeBuildTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void buildsEveryPartOfThePlatform(String overlay) {
        List<String> resources = Kubectl.build(overlay).stream()
                .map(d -> Manifests.kind(d) + "/" + Manifests.name(d)).toList();
        assertThat(resources).doesNotHaveDuplicates().contains(
                "Namespace/transferlab", "Kafka/transferlab", "ConfigMap/transferlab-common",
                "Secret/transferlab-s3", "Deployment/api-service", "Service/api-service", "Ingress/api-service",
                "HorizontalPodAutoscaler/api-service", "PodDisruptionBudget/api-service",
                "Deployment/trainer-worker", "Service/trainer-worker", "ScaledObject/trainer-worker",
                "Deployment/inference-worker", "Service/inference-worker", "ScaledObject/inference-worker",
                "ServiceMonitor/transferlab");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everythingIsInTheNamespaceAndLabelled(String overlay) {
        for (ObjectNode doc : Kubectl.build(overlay)) {
            JsonNode metadata = doc.path("metadata");
            String what = Manifests.kind(doc) + " " + Manifests.name(doc);
            if (!CLUSTER_SCOPED.contains(Manifests.kind(doc))) {
                assertThat(metadata.path("namespace").asText()).as(what).isEqualTo("transferlab");
            }
            assertThat(metadata.path("labels").path("app.kubernetes.io/part-of").asText()).as(what)
                    .isEqualTo("transferlab");
            assertThat(metadata.path("labels").path("app.kubernetes.io/name").asText()).as(what).isNotEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "dev,  transferlab/api-service:0.1.0, transferlab/trainer-worker:0.1.0-cpu",
        "prod, transferlab/api-service:0.1.0, transferlab/trainer-worker:0.1.0-cuda"})
    void imagesAreTaggedByTheOverlay(String overlay, String api, String worker) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        assertThat(image(Manifests.one(docs, "Deployment", "api-service"))).isEqualTo(api);
        assertThat(image(Manifests.one(docs, "Deployment", "trainer-worker"))).isEqualTo(worker);
        assertThat(image(Manifests.one(docs, "Deployment", "inference-worker"))).isEqualTo(worker);
        for (ObjectNode doc : docs) {
            for (JsonNode c : Workloads.containers(doc)) {
                assertThat(c.path("image").asText()).as(Manifests.name(doc)).contains(":");
            }
        }
    }

    private static String image(ObjectNode deployment) {
        return Workloads.containers(deployment).get(0).path("image").asText();
    }
}
