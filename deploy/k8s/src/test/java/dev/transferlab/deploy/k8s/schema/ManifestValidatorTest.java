package dev.transferlab.deploy.k8s.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.deploy.k8s.Manifests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The validator fails what the API server would refuse: a misspelt field, a wrong type, a missing required field,
 * for a core kind (Deployment, ConfigMap) and for CRD kinds (Strimzi's, KEDA's, the Prometheus operator's). Each case
 * starts from a valid manifest of this module and breaks one thing.
 */
class ManifestValidatorTest {

    @Test
    void theUnbrokenManifestsPass() {
        assertThat(ManifestValidator.validate(workerDeployment())).isEmpty();
        assertThat(ManifestValidator.validate(kafka())).isEmpty();
        assertThat(ManifestValidator.validate(scaledObject())).isEmpty();
        assertThat(ManifestValidator.validate(serviceMonitor())).isEmpty();
    }

    @Test
    void deploymentWithAMisspeltFieldFails() {
        assertThat(broken(workerDeployment(),
                d -> container(d).set("readinesProbe", container(d).remove("readinessProbe"))))
                .anySatisfy(e -> assertThat(e).contains("/spec/template/spec/containers/0").contains("readinesProbe"));
    }

    @Test
    void deploymentWithAWrongTypeFails() {
        assertThat(broken(workerDeployment(), d -> d.with("spec").put("replicas", "two")))
                .anySatisfy(e -> assertThat(e).contains("/spec/replicas").contains("integer"));
        // The classic: an unquoted number where Kubernetes wants a string.
        assertThat(broken(workerDeployment(), d -> ((ObjectNode) container(d).withArray("env").get(0)).put("value", 1)))
                .anySatisfy(e -> assertThat(e).contains("/env/0/value").contains("string"));
        assertThat(broken(workerDeployment(), d -> resources(d).with("limits").put("memory", "24 GiB")))
                .anySatisfy(e -> assertThat(e).contains("/resources/limits/memory"));
    }

    @Test
    void deploymentWithoutARequiredFieldFails() {
        assertThat(broken(workerDeployment(), d -> d.with("spec").remove("selector")))
                .anySatisfy(e -> assertThat(e).contains("/spec").contains("selector"));
        assertThat(broken(workerDeployment(), d -> container(d).remove("name")))
                .anySatisfy(e -> assertThat(e).contains("/spec/template/spec/containers/0").contains("name"));
    }

    @Test
    void configMapDataMustBeStrings() {
        ObjectNode configMap = Manifests.read(Manifests.BASE.resolve("config.yaml")).get(0);
        assertThat(ManifestValidator.validate(configMap)).isEmpty();
        assertThat(broken(configMap, c -> c.with("data").put("TRANSFERLAB_S3_PATH_STYLE", false)))
                .anySatisfy(e -> assertThat(e).contains("/data/TRANSFERLAB_S3_PATH_STYLE"));
    }

    @Test
    void strimziKafkaWithAMisspeltFieldFails() {
        assertThat(broken(kafka(), k -> k.with("spec").with("kafka").set("listener",
                k.with("spec").with("kafka").remove("listeners"))))
                .anySatisfy(e -> assertThat(e).contains("/spec/kafka").contains("listener"));
    }

    @Test
    void strimziResourcesWithAWrongTypeFail() {
        assertThat(broken(kafka(), k -> ((ObjectNode) k.with("spec").with("kafka").withArray("listeners").get(0))
                .put("port", "9092")))
                .anySatisfy(e -> assertThat(e).contains("/spec/kafka/listeners/0/port").contains("integer"));
        assertThat(broken(topic(), t -> t.with("spec").put("partitions", "eight")))
                .anySatisfy(e -> assertThat(e).contains("/spec/partitions"));
    }

    @Test
    void strimziKafkaWithoutARequiredFieldFails() {
        assertThat(broken(kafka(), k -> k.with("spec").with("kafka").remove("listeners")))
                .anySatisfy(e -> assertThat(e).contains("/spec/kafka").contains("listeners"));
    }

    @Test
    void strimziV1beta2IsNoLongerAccepted() {
        // Strimzi 1.0 serves kafka.strimzi.io/v1 only.
        assertThat(broken(kafka(), k -> k.put("apiVersion", "kafka.strimzi.io/v1beta2")))
                .containsExactly("no schema for kafka.strimzi.io/v1beta2/Kafka");
    }

    @Test
    void kafkaUserAclsNeedTheV1Operations() {
        assertThat(ManifestValidator.validate(user())).isEmpty();
        // v1 dropped the single `operation` of v1beta2 for the list `operations`.
        assertThat(broken(user(), u -> {
            ObjectNode acl = (ObjectNode) u.with("spec").with("authorization").withArray("acls").get(0);
            acl.remove("operations");
            acl.put("operation", "Write");
        })).anySatisfy(e -> assertThat(e).contains("/spec/authorization/acls/0").contains("operation"));
        assertThat(broken(user(), u -> u.with("spec").with("authentication").put("type", "scram-sha-256")))
                .anySatisfy(e -> assertThat(e).contains("/spec/authentication/type"));
    }

    @Test
    void customResourceMetadataIsAnObjectMeta() {
        assertThat(broken(topic(), t -> t.with("metadata").put("label", "x")))
                .anySatisfy(e -> assertThat(e).contains("/metadata").contains("label"));
    }

    @Test
    void kedaScaledObjectIsChecked() {
        assertThat(broken(scaledObject(), s -> s.with("spec").remove("scaleTargetRef")))
                .anySatisfy(e -> assertThat(e).contains("/spec").contains("scaleTargetRef"));
        assertThat(broken(scaledObject(), s -> s.with("spec").put("minReplicaCount", "0")))
                .anySatisfy(e -> assertThat(e).contains("/spec/minReplicaCount"));
        assertThat(broken(scaledObject(), s -> s.with("spec").put("cooldownPeriode", 900)))
                .anySatisfy(e -> assertThat(e).contains("cooldownPeriode"));
    }

    @Test
    void serviceMonitorWithAMisspeltFieldFails() {
        assertThat(broken(serviceMonitor(), m -> ((ObjectNode) m.with("spec").withArray("endpoints").get(0))
                .put("paht", "/q/metrics")))
                .anySatisfy(e -> assertThat(e).contains("/spec/endpoints/0").contains("paht"));
    }

    @Test
    void aKindWithoutASchemaFails() {
        ObjectNode unknown = Manifests.YAML.createObjectNode()
                .put("apiVersion", "example.com/v1").put("kind", "Gadget");
        assertThat(ManifestValidator.validate(unknown)).containsExactly("no schema for example.com/v1/Gadget");
    }

    @Test
    void patchesNeedNoRequiredFieldsButStillKnownOnes() {
        ObjectNode patch = Manifests.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: trainer-worker}
                spec: {template: {spec: {terminationGracePeriodSeconds: 60}}}
                """).get(0);
        assertThat(ManifestValidator.validatePatch(patch)).isEmpty();
        assertThat(ManifestValidator.validate(patch)).isNotEmpty();
        ((ObjectNode) patch.get("spec")).put("replica", 1);
        assertThat(ManifestValidator.validatePatch(patch)).anySatisfy(e -> assertThat(e).contains("replica"));
    }

    private static List<String> broken(ObjectNode doc, Consumer<ObjectNode> breakIt) {
        ObjectNode copy = doc.deepCopy();
        breakIt.accept(copy);
        return ManifestValidator.validate(copy);
    }

    private static ObjectNode container(ObjectNode deployment) {
        ArrayNode containers = deployment.with("spec").with("template").with("spec").withArray("containers");
        return (ObjectNode) containers.get(0);
    }

    private static ObjectNode resources(ObjectNode deployment) {
        return container(deployment).with("resources");
    }

    private static ObjectNode workerDeployment() {
        return Manifests.read(Manifests.BASE.resolve("trainer-worker/deployment.yaml")).get(0);
    }

    private static ObjectNode kafka() {
        return Manifests.read(Manifests.BASE.resolve("kafka/kafka.yaml")).get(0);
    }

    private static ObjectNode topic() {
        return Manifests.read(Manifests.BASE.resolve("kafka/topics.yaml")).get(0);
    }

    private static ObjectNode user() {
        return Manifests.read(Manifests.BASE.resolve("kafka/users.yaml")).get(0);
    }

    private static ObjectNode scaledObject() {
        return Manifests.read(Manifests.BASE.resolve("trainer-worker/scaledobject.yaml")).get(0);
    }

    private static ObjectNode serviceMonitor() {
        return Manifests.read(Manifests.BASE.resolve("servicemonitor.yaml")).get(0);
    }
}
