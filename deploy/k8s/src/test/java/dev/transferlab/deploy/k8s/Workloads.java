package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

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

    public static JsonNode container(JsonNode workload, String name) {
        return containers(workload).stream().filter(c -> c.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }
}
