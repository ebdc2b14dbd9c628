package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting the manifests give a service is one it reads: a misspelt variable would be ignored silently (the
 * property keeps its default). A variable is a property in MicroProfile Config's environment form
 * ({@code transferlab.s3.path-style} is TRANSFERLAB_S3_PATH_STYLE); the properties a service reads are those of its
 * application.properties, its {@code @ConfigProperty} injections and its {@code @ConfigMapping} interfaces (with
 * common's, which both services read). A KAFKA_* variable is {@code kafka.*}, which
 * Quarkus hands to every Kafka client of the service with the prefix taken off and underscores as dots
 * (KAFKA_SASL_JAAS_CONFIG is the clients' {@code sasl.jaas.config}): it must be one of the Kafka clients' own settings.
 * The inference-worker runs the trainer-worker's image, so its properties are the trainer-worker module's.
 */
class ConfigPropertiesTest {
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"");
    // A mapping's own properties: its interface's abstract methods, each declared on one line at the first level of
    // indentation (a nested interface's are a level deeper; default methods have bodies), constraints and all.
    private static final Pattern MAPPING_METHOD = Pattern.compile("(?m)^    [\\w<>, ?@()=]+ (\\w+)\\(\\);$");
    // A method named otherwise by @WithName (transferlab.tenant.default is defaultTenant()), other annotations between.
    private static final Pattern RENAMED_METHOD = Pattern.compile(
            "(?m)^    @WithName\\(\"([^\"]+)\"\\)\\n(?:    @.*\\n)*    [\\w<>, ?@()=]+ (\\w+)\\(\\);$");
    private static final List<String> CONFIG_PREFIXES = List.of("TRANSFERLAB_", "QUARKUS_", "MP_");
    private static final String KAFKA_PREFIX = "KAFKA_";
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}:]+)}");
    // Quarkus's own properties that the manifests set and application.properties doesn't.
    private static final Set<String> QUARKUS_OWN = Set.of("quarkus.shutdown.timeout", "quarkus.oidc.auth-server-url",
            "quarkus.oidc.client-id");

    @ParameterizedTest
    @CsvSource({"dev, api-service", "dev, trainer-worker", "dev, inference-worker", "prod, api-service",
        "prod, trainer-worker", "prod, inference-worker"})
    void everyVariableIsAPropertyTheServiceReads(String overlay, String service) {
        List<ObjectNode> docs = Kubectl.build(overlay);
        JsonNode container = Workloads.container(Manifests.one(docs, "Deployment", service), service);
        Set<String> known = new TreeSet<>();
        properties(service).forEach(p -> known.add(envForm(p)));
        List<String> variables = variables(docs, container);
        assertThat(variables).contains("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SASL_JAAS_CONFIG", "TRANSFERLAB_S3_BUCKET",
                "TRANSFERLAB_S3_ACCESS_KEY");
        assertThat(variables.stream().filter(v -> CONFIG_PREFIXES.stream().anyMatch(v::startsWith)))
                .allSatisfy(v -> assertThat(known).as("properties of " + service).contains(v));
        Set<String> kafkaClients = new TreeSet<>(ConsumerConfig.configNames());
        kafkaClients.addAll(ProducerConfig.configNames());
        kafkaClients.addAll(AdminClientConfig.configNames());
        assertThat(variables.stream().filter(v -> v.startsWith(KAFKA_PREFIX))
                .map(v -> v.substring(KAFKA_PREFIX.length()).toLowerCase().replace('_', '.')))
                .allSatisfy(v -> assertThat(kafkaClients).as("Kafka client settings").contains(v));
    }

    @Test
    void aMappingsPropertiesAreItsInterfacesMethodsUnderItsPrefix() {
        assertThat(properties("trainer-worker")).contains("transferlab.s3.endpoint", "transferlab.s3.path-style",
                "transferlab.s3.max-attempts", "transferlab.backbone.max-gflops", "transferlab.features.batch-size",
                "transferlab.decode.budget-bytes", "transferlab.sweeps.parallelism")
                .doesNotContain("transferlab.s3.settings", "transferlab.backbone.budget");
        assertThat(properties("api-service")).contains("transferlab.s3.bucket", "transferlab.sse.heartbeat-interval",
                "transferlab.sse.client-buffer", "transferlab.quotas.active-jobs", "transferlab.tenant.default",
                "transferlab.console.client-id", "transferlab.http.max-body-size")
                // TenantQuota's, nested under a tenant's name, are not the mapping's own.
                .doesNotContain("transferlab.quotas.predictions-per-second-tenant",
                        "transferlab.tenant.default-tenant");
    }

    private static List<String> variables(List<ObjectNode> docs, JsonNode container) {
        List<String> names = new ArrayList<>();
        container.path("env").forEach(e -> names.add(e.path("name").asText()));
        for (JsonNode from : container.path("envFrom")) {
            String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
            JsonNode source = Manifests.one(docs, kind, from.findValue("name").asText());
            source.path("data").fieldNames().forEachRemaining(names::add);
            source.path("stringData").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    static Set<String> properties(String service) {
        Set<String> names = new TreeSet<>(QUARKUS_OWN);
        names.addAll(applicationProperties(service).stringPropertyNames());
        for (Path module : List.of(module(service), module("common"))) {
            try (Stream<Path> sources = Files.walk(module.resolve("src/main/java"))) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    names.addAll(propertiesRead(Files.readString(source)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    /** The properties one source file reads, by {@code @ConfigProperty} or as a {@code @ConfigMapping}. */
    static Set<String> propertiesRead(String source) {
        Set<String> names = new TreeSet<>();
        Matcher property = CONFIG_PROPERTY.matcher(source);
        while (property.find()) {
            names.add(property.group(1));
        }
        Matcher mapping = CONFIG_MAPPING.matcher(source);
        if (mapping.find()) {
            Map<String, String> renamed = new HashMap<>();
            Matcher withName = RENAMED_METHOD.matcher(source);
            while (withName.find()) {
                renamed.put(withName.group(2), withName.group(1));
            }
            Matcher method = MAPPING_METHOD.matcher(source);
            while (method.find()) {
                // SmallRye's default naming: maxAttempts() is max-attempts.
                String name = renamed.getOrDefault(method.group(1),
                        method.group(1).replaceAll("([A-Z])", "-$1").toLowerCase());
                names.add(mapping.group(1) + "." + name);
            }
        }
        return names;
    }

    /**
     * The service's application.properties as its Deployment in these documents configures it: a property its
     * container's variables set takes their value, and a value that is only a reference to another property
     * ({@code ${transferlab.worker.training}}) takes that one's.
     */
    static Properties effectiveProperties(List<ObjectNode> docs, String service) {
        Properties props = applicationProperties(service);
        Map<String, JsonNode> env = Workloads.env(docs,
                Workloads.container(Manifests.one(docs, "Deployment", service), service));
        for (String name : props.stringPropertyNames()) {
            JsonNode value = env.get(envForm(name));
            if (value != null && value.isValueNode()) {
                props.setProperty(name, value.asText());
            }
        }
        for (String name : props.stringPropertyNames()) {
            Matcher reference = REFERENCE.matcher(props.getProperty(name));
            if (reference.matches() && props.containsKey(reference.group(1))) {
                props.setProperty(name, props.getProperty(reference.group(1)));
            }
        }
        return props;
    }

    /** The service's src/main/resources/application.properties. */
    static Properties applicationProperties(String service) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(module(service).resolve("src/main/resources/application.properties"))) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    private static Path module(String service) {
        String module = service.equals("inference-worker") ? "trainer-worker" : service;
        return Manifests.ROOT.resolve("../..").resolve(module).normalize();
    }

    static String envForm(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }
}
