package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every workload of both overlays needs to be scheduled sensibly and restarted when it hangs. */
class DeploymentsTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyDeploymentHasProbesAndBoundedResources(String overlay) {
        List<ObjectNode> deployments = Manifests.ofKind(Kubectl.build(overlay), "Deployment");
        assertThat(deployments).hasSizeGreaterThanOrEqualTo(2);
        for (ObjectNode deployment : deployments) {
            for (JsonNode c : Workloads.containers(deployment)) {
                String what = overlay + " " + Manifests.name(deployment) + "/" + c.path("name").asText();
                assertThat(c.has("readinessProbe")).as(what + " readinessProbe").isTrue();
                assertThat(c.has("livenessProbe")).as(what + " livenessProbe").isTrue();
                for (String bound : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertThat(c.path("resources").path(bound).path(resource).asText())
                                .as(what + " " + bound + "." + resource).isNotEmpty();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void servicesProbeQuarkusHealthOnTheirOwnPort(String overlay) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        for (String service : List.of("api-service", "trainer-worker", "inference-worker")) {
            JsonNode c = Workloads.container(Manifests.one(docs, "Deployment", service), service);
            assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
            assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
            assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
            assertThat(c.path("envFrom").findValuesAsText("name"))
                    .contains("transferlab-common", service, "transferlab-s3");
        }
        for (String name : List.of("trainer-worker", "inference-worker")) {
            JsonNode worker = Workloads.container(Manifests.one(docs, "Deployment", name), name);
            // DJL unpacks its natives at the first start: liveness must not count until the worker has started.
            assertThat(worker.path("startupProbe").path("httpGet").path("path").asText()).startsWith("/q/health/");
            int startupSeconds = worker.path("startupProbe").path("periodSeconds").asInt()
                    * worker.path("startupProbe").path("failureThreshold").asInt();
            assertThat(startupSeconds).as(name).isGreaterThanOrEqualTo(300);
            assertThat(worker.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8081);
        }
        JsonNode api = Workloads.container(Manifests.one(docs, "Deployment", "api-service"), "api-service");
        assertThat(api.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    }
}
