package dev.transferlab.deploy.k8s.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Turns a Kubernetes OpenAPI schema (an npm definition or a CRD's openAPIV3Schema) into the JSON Schema (draft 7)
 * that the API server effectively applies, so that a plain validator can check it:
 * <ul>
 * <li>unknown fields are errors: every object with {@code properties} and no {@code additionalProperties} gets
 * {@code additionalProperties: false}, unless it says {@code x-kubernetes-preserve-unknown-fields}. The OpenAPI
 * schemas don't say it because the API server prunes or rejects unknown fields on its own (server-side field
 * validation, Strict under {@code kubectl apply --validate=strict}); a misspelt field must fail here as it does there;
 * <li>{@code nullable} and {@code x-kubernetes-int-or-string}, OpenAPI extensions, become JSON Schema types;
 * <li>the npm packages' references ({@code "io.k8s...ObjectMeta#"}) point into the shared {@code definitions};
 * <li>for patches ({@code required == false}), {@code required} is dropped: a patch names only what it changes.
 * </ul>
 */
final class StrictSchema {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> SCHEMA_LISTS = List.of("oneOf", "anyOf", "allOf");

    private StrictSchema() {
    }

    static JsonNode tighten(JsonNode schema, boolean required) {
        if (!schema.isObject()) {
            return schema;
        }
        ObjectNode out = ((ObjectNode) schema).deepCopy();
        rewrite(out, required);
        return out;
    }

    private static void rewrite(ObjectNode s, boolean required) {
        JsonNode ref = s.get("$ref");
        if (ref != null && !ref.asText().startsWith("#")) {
            s.put("$ref", "#/definitions/" + ref.asText().replaceAll("#$", ""));
        }
        JsonNode type = s.get("type");
        if (s.path("nullable").asBoolean(false) && type != null && type.isTextual()) {
            s.set("type", JSON.arrayNode().add(type.asText()).add("null"));
        }
        s.remove("nullable");
        if (s.path("x-kubernetes-int-or-string").asBoolean(false) && !s.has("anyOf")) {
            s.remove("type");
            s.set("anyOf", JSON.arrayNode().add(JSON.objectNode().put("type", "integer"))
                    .add(JSON.objectNode().put("type", "string")));
        }
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (s.has("properties") && !s.has("additionalProperties") && !preserve) {
            s.put("additionalProperties", false);
        }
        if (!required) {
            s.remove("required");
        }
        s.path("properties").forEach(p -> rewriteChild(p, required));
        s.path("definitions").forEach(p -> rewriteChild(p, required));
        rewriteChild(s.get("items"), required);
        rewriteChild(s.get("additionalProperties"), required);
        rewriteChild(s.get("not"), required);
        for (String list : SCHEMA_LISTS) {
            if (s.get(list) instanceof ArrayNode branches) {
                branches.forEach(b -> rewriteChild(b, required));
            }
        }
    }

    private static void rewriteChild(JsonNode child, boolean required) {
        if (child instanceof ObjectNode o) {
            rewrite(o, required);
        }
    }
}
