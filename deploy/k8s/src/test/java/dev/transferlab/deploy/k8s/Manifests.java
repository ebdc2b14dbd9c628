package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The module's kustomize directories and YAML documents. */
public final class Manifests {
    public static final ObjectMapper YAML = new YAMLMapper();
    public static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    public static final Path BASE = ROOT.resolve("base");
    public static final List<String> OVERLAYS = List.of("dev", "prod");

    private Manifests() {
    }

    public static Path overlay(String name) {
        return ROOT.resolve("overlays").resolve(name);
    }

    /** Every document of a multi-document YAML text; empty documents (a leading ---) are dropped. */
    public static List<ObjectNode> parse(String yaml) {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add((ObjectNode) doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    public static List<ObjectNode> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file holding one document of any shape (a JSON patch is a list). */
    public static JsonNode readList(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every kustomization directory: the base and the overlays. */
    public static List<Path> kustomizations() {
        List<Path> dirs = new ArrayList<>(List.of(BASE));
        OVERLAYS.forEach(o -> dirs.add(overlay(o)));
        return dirs;
    }

    /** Every YAML file under base/ and overlays/, kustomization.yaml files excepted. */
    public static List<Path> files() {
        try (Stream<Path> all = Stream.concat(Files.walk(BASE), Files.walk(ROOT.resolve("overlays")))) {
            return all.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public enum Role { RESOURCE, STRATEGIC_MERGE_PATCH, JSON6902_PATCH }

    /** How the kustomization of the file's directory tree uses it, if at all. */
    public static Optional<Role> role(Path file) {
        for (Path dir : kustomizations()) {
            if (!file.startsWith(dir)) {
                continue;
            }
            JsonNode k = read(dir.resolve("kustomization.yaml")).get(0);
            String rel = dir.relativize(file).toString();
            for (var entry : Map.of("resources", Role.RESOURCE, "patchesStrategicMerge", Role.STRATEGIC_MERGE_PATCH)
                    .entrySet()) {
                for (JsonNode listed : k.path(entry.getKey())) {
                    if (listed.asText().equals(rel)) {
                        return Optional.of(entry.getValue());
                    }
                }
            }
            for (JsonNode patch : k.path("patchesJson6902")) {
                if (patch.path("path").asText().equals(rel)) {
                    return Optional.of(Role.JSON6902_PATCH);
                }
            }
        }
        return Optional.empty();
    }

    /** The strings of a YAML list. */
    public static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(v -> out.add(v.asText()));
        return out;
    }

    public static String kind(JsonNode doc) {
        return doc.path("kind").asText();
    }

    public static String name(JsonNode doc) {
        return doc.path("metadata").path("name").asText();
    }

    public static List<ObjectNode> ofKind(List<ObjectNode> docs, String kind) {
        return docs.stream().filter(d -> kind(d).equals(kind)).toList();
    }

    /** The triggers of every KEDA ScaledObject. */
    public static List<JsonNode> triggers(List<ObjectNode> docs) {
        List<JsonNode> triggers = new ArrayList<>();
        ofKind(docs, "ScaledObject").forEach(o -> o.path("spec").path("triggers").forEach(triggers::add));
        return triggers;
    }

    public static ObjectNode one(List<ObjectNode> docs, String kind, String name) {
        return docs.stream().filter(d -> kind(d).equals(kind) && name(d).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }
}
