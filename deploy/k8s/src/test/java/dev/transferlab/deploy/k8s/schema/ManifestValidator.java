package dev.transferlab.deploy.k8s.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Validates Kubernetes documents, whole or as strategic-merge patches, against {@link SchemaCatalog}'s schemas. */
public final class ManifestValidator {
    private static final SchemaCatalog CATALOG = new SchemaCatalog();
    private static final ManifestValidator FULL = new ManifestValidator(true);
    private static final ManifestValidator PATCH = new ManifestValidator(false);

    private final ObjectNode definitions;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ManifestValidator(boolean required) {
        definitions = JsonNodeFactory.instance.objectNode();
        CATALOG.definitions.fields().forEachRemaining(
                e -> definitions.set(e.getKey(), StrictSchema.tighten(e.getValue(), required)));
        Dialect dialect = Dialect.builder(Dialects.getDraft7())
                .format(K8sFormats.QUANTITY).format(K8sFormats.BYTE).build();
        registry = SchemaRegistry.withDefaultDialect(dialect);
    }

    /** A complete object, as {@code kubectl apply} sends it. */
    public static List<String> validate(JsonNode doc) {
        return FULL.check(doc);
    }

    /** A strategic-merge patch: the same fields and types, but nothing is required. */
    public static List<String> validatePatch(JsonNode doc) {
        return PATCH.check(doc);
    }

    private List<String> check(JsonNode doc) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        String definition = CATALOG.kinds.get(key);
        if (definition == null) {
            return List.of("no schema for " + key);
        }
        Schema schema = schemas.computeIfAbsent(definition, d -> registry.getSchema(JsonNodeFactory.instance
                .objectNode().put("$ref", "#/definitions/" + d.replace("/", "~1"))
                .set("definitions", definitions)));
        List<String> errors = schema.validate(doc).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
                // The schemas allow null beside most objects (oneOf [$ref, null]): the null branch's complaint
                // is noise next to the real one.
                .filter(e -> !e.endsWith(", null expected")).toList();
        return errors.stream().filter(e -> !e.endsWith("but 0 are valid") || !hasDeeper(errors, e)).toList();
    }

    private static boolean hasDeeper(List<String> errors, String oneOf) {
        String location = oneOf.substring(0, oneOf.indexOf(": "));
        return errors.stream().anyMatch(e -> !e.equals(oneOf) && e.startsWith(location));
    }
}
