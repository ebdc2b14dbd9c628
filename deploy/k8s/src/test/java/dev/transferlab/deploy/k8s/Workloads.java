package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The pod templates inside Deployments, StatefulSets and Jobs. */
public final class Workloads {
    private Workloads() {
    }

    public static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    public static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> out = new ArrayList<>();
        podSpec(workload).path("containers").forEach(out::add);
        return out;
    }

    /** The container's variables: its ConfigMaps' values, as {@code {value: ...}}, and its own env entries. */
    public static Map<String, JsonNode> env(List<ObjectNode> docs, JsonNode container) {
        Map<String, JsonNode> env = new HashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                Manifests.one(docs, "ConfigMap", from.path("configMapRef").path("name").asText()).path("data").fields()
                        .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
            }
        }
        container.path("env").forEach(e -> env.put(e.path("name").asText(),
                e.has("value") ? e.path("value") : e));
        return env;
    }

    public static JsonNode container(JsonNode workload, String name) {
        return containers(workload).stream().filter(c -> c.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }
}
