package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.deploy.k8s.Manifests.Role;
import dev.transferlab.deploy.k8s.schema.ManifestValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every manifest, as written and as built, against the Kubernetes and CRD schemas (see SchemaCatalog). */
class SchemaValidationTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;
    private static final Set<String> JSON_PATCH_OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    static List<Path> files() {
        return Manifests.files();
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyFileIsUsedAndValid(Path file) {
        Role role = Manifests.role(file).orElseThrow(
                () -> new AssertionError(file + " is in no kustomization: nothing would apply it"));
        List<String> errors = new ArrayList<>();
        if (role == Role.JSON6902_PATCH) {
            errors.addAll(jsonPatchErrors(file));
        } else {
            for (ObjectNode doc : Manifests.read(file)) {
                List<String> found = role == Role.RESOURCE
                        ? ManifestValidator.validate(doc) : ManifestValidator.validatePatch(doc);
                found.forEach(e -> errors.add(Manifests.kind(doc) + " " + Manifests.name(doc) + " " + e));
            }
        }
        assertThat(errors).as(file.toString()).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyBuiltDocumentIsValid(String overlay) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode doc : Kubectl.build(overlay)) {
            ManifestValidator.validate(doc)
                    .forEach(e -> errors.add(Manifests.kind(doc) + " " + Manifests.name(doc) + " " + e));
        }
        assertThat(errors).isEmpty();
    }

    private static List<String> jsonPatchErrors(Path file) {
        JsonNode ops = Manifests.readList(file);
        List<String> errors = new ArrayList<>();
        if (!ops.isArray() || ops.isEmpty()) {
            return List.of("not a list of JSON patch operations");
        }
        for (JsonNode op : ops) {
            if (!JSON_PATCH_OPS.contains(op.path("op").asText()) || !op.path("path").asText().startsWith("/")) {
                errors.add("not a JSON patch operation: " + op);
            }
        }
        return errors;
    }
}
