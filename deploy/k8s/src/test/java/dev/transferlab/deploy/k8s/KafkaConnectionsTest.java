package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka takes no connection without TLS and a KafkaUser, in the dev overlay as in prod, and every client connects so:
 * the services over SCRAM-SHA-512 with their own user's Secret and the cluster CA's truststore, KEDA's scaler with
 * its own TLS user.
 */
class KafkaConnectionsTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyListenerIsTlsAndAuthenticatedAndAuthorized(String overlay) {
        JsonNode kafka = Manifests.one(Kubectl.build(overlay), "Kafka", "transferlab").path("spec").path("kafka");
        assertThat(kafka.path("listeners")).hasSize(2).allSatisfy(listener -> {
            assertThat(listener.path("tls").asBoolean()).as(listener.path("name").asText()).isTrue();
            assertThat(listener.path("authentication").path("type").asText()).isIn("scram-sha-512", "tls");
        });
        assertThat(kafka.path("authorization").path("type").asText()).isEqualTo("simple");
    }

    @ParameterizedTest
    @CsvSource({"dev, api-service", "dev, trainer-worker", "dev, inference-worker", "prod, api-service",
        "prod, trainer-worker", "prod, inference-worker"})
    void theServicesConnectWithScramAsTheirOwnUserTrustingTheClusterCa(String overlay, String service) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        ObjectNode deployment = Manifests.one(docs, "Deployment", service);
        JsonNode container = Workloads.container(deployment, service);
        Map<String, JsonNode> env = Workloads.env(docs, container);
        assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").asText())
                .isEqualTo("transferlab-kafka-bootstrap.transferlab.svc:" + listener(docs, "scram-sha-512").path("port"));
        assertThat(env.get("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
        assertThat(env.get("KAFKA_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-512");
        assertSecretKey(env.get("KAFKA_SASL_JAAS_CONFIG"), service, "sasl.jaas.config");
        assertThat(Manifests.one(docs, "KafkaUser", service).path("spec").path("authentication").path("type").asText())
                .isEqualTo("scram-sha-512");

        assertThat(env.get("KAFKA_SSL_TRUSTSTORE_TYPE").asText()).isEqualTo("PKCS12");
        assertSecretKey(env.get("KAFKA_SSL_TRUSTSTORE_PASSWORD"), clusterCa(docs), "ca.password");
        JsonNode volume = Workloads.podSpec(deployment).path("volumes").findParents("secret").stream()
                .filter(v -> v.path("secret").path("secretName").asText().equals(clusterCa(docs))).findFirst()
                .orElseThrow(() -> new AssertionError(service + " mounts no " + clusterCa(docs)));
        JsonNode mount = container.path("volumeMounts").findParents("name").stream()
                .filter(m -> m.path("name").asText().equals(volume.path("name").asText())).findFirst().orElseThrow();
        JsonNode item = volume.path("secret").path("items").get(0);
        assertThat(item.path("key").asText()).isEqualTo("ca.p12");
        assertThat(env.get("KAFKA_SSL_TRUSTSTORE_LOCATION").asText())
                .isEqualTo(mount.path("mountPath").asText() + "/" + item.path("path").asText());
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void kedaReadsTheLagAsItsOwnTlsUser(String overlay) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        List<JsonNode> triggers = Manifests.triggers(docs);
        assertThat(Manifests.ofKind(docs, "ScaledObject")).extracting(Manifests::name)
                .containsExactlyInAnyOrder("trainer-worker", "inference-worker");
        assertThat(triggers).isNotEmpty().allSatisfy(trigger -> {
            assertThat(trigger.path("metadata").path("bootstrapServers").asText())
                    .isEqualTo("transferlab-kafka-bootstrap.transferlab.svc:" + listener(docs, "tls").path("port"));
            assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo("enable");
            assertThat(trigger.path("metadata").has("sasl")).isFalse();
            JsonNode auth = Manifests.one(docs, "TriggerAuthentication",
                    trigger.path("authenticationRef").path("name").asText());
            Map<String, String> refs = new HashMap<>();
            auth.path("spec").path("secretTargetRef").forEach(r -> refs.put(r.path("parameter").asText(),
                    r.path("name").asText() + "/" + r.path("key").asText()));
            assertThat(refs).containsEntry("ca", clusterCa(docs) + "/ca.crt")
                    .containsEntry("cert", "trainer-worker-scaler/user.crt")
                    .containsEntry("key", "trainer-worker-scaler/user.key");
        });
        assertThat(Manifests.one(docs, "KafkaUser", "trainer-worker-scaler").path("spec").path("authentication")
                .path("type").asText()).isEqualTo("tls");
    }

    private static JsonNode listener(List<ObjectNode> docs, String authentication) {
        for (JsonNode l : Manifests.one(docs, "Kafka", "transferlab").path("spec").path("kafka").path("listeners")) {
            if (l.path("authentication").path("type").asText().equals(authentication)) {
                return l;
            }
        }
        throw new AssertionError("no listener with " + authentication + " authentication");
    }

    /** The Secret Strimzi keeps the cluster CA's certificate in: {@code <cluster>-cluster-ca-cert}. */
    private static String clusterCa(List<ObjectNode> docs) {
        return Manifests.name(Manifests.one(docs, "Kafka", "transferlab")) + "-cluster-ca-cert";
    }

    private static void assertSecretKey(JsonNode variable, String secret, String key) {
        JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
        assertThat(ref.path("name").asText() + "/" + ref.path("key").asText()).isEqualTo(secret + "/" + key);
    }
}
