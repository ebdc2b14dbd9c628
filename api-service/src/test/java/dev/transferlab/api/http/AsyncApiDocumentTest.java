package dev.transferlab.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import dev.transferlab.common.messages.AuditEvent;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.CloudEventAttributes;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document the api-service serves ({@code /asyncapi.json}) is what the message records say: its message
 * schemas are JSON Schemas generated from the records of {@code common} (victools' jsonschema-generator, with the
 * Jackson annotations the services' own JSON follows), and it has a channel for every topic of {@link Topics}. A
 * change to a record fails here until the document is regenerated:
 * {@code ./mvnw -o -pl api-service -am test -Dtest=AsyncApiDocumentTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dasyncapi.regenerate=true}.
 */
class AsyncApiDocumentTest {
    static final Path DOCUMENT = Path.of("src/main/resources/META-INF/resources/asyncapi.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String API = "api-service";
    private static final String WORKER = "trainer-worker";

    /** One topic: what travels on it, keyed by what, with which headers, written and read by whom. */
    record Channel(String topic, String description, Class<?> message, String key, Map<String, String> headers,
                   List<String> producers, List<String> consumers) {
    }

    static List<Channel> channels() {
        Map<String, String> cloudEvents = new LinkedHashMap<>();
        cloudEvents.put("ce_specversion", CloudEventAttributes.SPEC_VERSION);
        cloudEvents.put("ce_id", "the event's eventId");
        cloudEvents.put("ce_source", "/transferlab/api-service or /transferlab/trainer-worker");
        cloudEvents.put("ce_type", CloudEventAttributes.TYPE_PREFIX + "<type>, e.g. "
                + CloudEventAttributes.TYPE_PREFIX + "epoch-completed");
        cloudEvents.put("ce_subject", "the job id");
        cloudEvents.put("ce_time", "when it happened (RFC 3339)");
        cloudEvents.put("content-type", CloudEventAttributes.DATA_CONTENT_TYPE);
        Map<String, String> reply = Map.of("REPLY_CORRELATION_ID", "matches the answer to its request",
                "REPLY_TOPIC", Topics.INFERENCE_RESULTS, "REPLY_PARTITION", "the partition to answer on (-1: any)");
        Map<String, String> deadLetter = new LinkedHashMap<>();
        deadLetter.put("dead-letter-reason", "why the record was refused, for a person to act on");
        deadLetter.put("dead-letter-cause", "the cause's message, if any");
        deadLetter.put("dead-letter-topic", "the topic it came from");
        deadLetter.put("dead-letter-partition", "its partition there");
        deadLetter.put("dead-letter-offset", "its offset there");
        String transactional = " Written in one Kafka transaction with the job's event: read with"
                + " isolation.level=read_committed.";
        return List.of(
                new Channel(Topics.TRAINING_REQUESTS, "Commands: train a classifier head." + transactional,
                        TrainingRequest.class, "job id", Map.of(), List.of(API), List.of(WORKER)),
                new Channel("transferlab.tenants.{tenant}.training-requests", "A tenant's own training commands:"
                        + " only its principal may write them, and each must name that tenant.",
                        TrainingRequest.class, "job id", Map.of(), List.of("the tenant's own producers"),
                        List.of(WORKER)),
                new Channel(Topics.TRAINING_CONTROL, "Commands: cancel a job; every worker reads them all."
                        + transactional, CancelRequest.class, "job id", Map.of(), List.of(API), List.of(WORKER)),
                new Channel(Topics.BATCH_PREDICTION_REQUESTS, "Commands: predict a whole dataset with a model."
                        + transactional, BatchPredictionRequest.class, "job id", Map.of(), List.of(API),
                        List.of(WORKER)),
                new Channel(Topics.SWEEP_REQUESTS, "Commands: a hyperparameter sweep of a head on cached features."
                        + transactional, SweepRequest.class, "sweep id", Map.of(), List.of(API), List.of(WORKER)),
                new Channel(Topics.SWEEP_TRIALS, "Between workers: one trial of a sweep to train up to a rung, for"
                        + " any training worker; the outcome goes to the sweep's area of object storage.",
                        SweepTrialRequest.class, "sweep id/trial", Map.of(), List.of(WORKER), List.of(WORKER)),
                new Channel(Topics.TRAINING_EVENTS, "What happened to each job, in order: the system of record of"
                        + " job state. CloudEvents in the Kafka binding's binary mode. The api-service writes accepted"
                        + " and cancel-requested events in transactions: read with isolation.level=read_committed.",
                        TrainingEvent.class, "job id", cloudEvents, List.of(API, WORKER), List.of(API)),
                new Channel(Topics.INFERENCE_REQUESTS, "One prediction each, answered on " + Topics.INFERENCE_RESULTS
                        + " (request-reply).", InferenceRequest.class, "request id", reply, List.of(API),
                        List.of(WORKER)),
                new Channel(Topics.INFERENCE_RESULTS, "The answer to one inference request.", InferenceResult.class,
                        "request id", Map.of("REPLY_CORRELATION_ID", "the request's"), List.of(WORKER), List.of(API)),
                new Channel(Topics.AUDIT, "Who changed what; kept long, read by no service.", AuditEvent.class,
                        "tenant", Map.of(), List.of(API), List.of()),
                new Channel(Topics.DEAD_LETTERS, "Records a consumer refused, unchanged (any of the messages"
                        + " above, or none), with the reason.", null, "the refused record's", deadLetter,
                        List.of(API, WORKER), List.of()));
    }

    static ObjectNode document() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("asyncapi", "3.0.0");
        doc.putObject("info").put("title", "TransferLab topics").put("version", "1")
                .put("description", "The Kafka topics of TransferLab: every record's value is JSON with"
                        + " schemaVersion 1; readers ignore fields they do not know. A record that is not a valid"
                        + " message goes to " + Topics.DEAD_LETTERS + " with its reason.");
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON).with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE,
                JacksonOption.RESPECT_JSONPROPERTY_REQUIRED));
        // Jackson writes bytes (an inline image) as one base64 string.
        config.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> type.isInstanceOf(byte[].class)
                ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("type", "string")
                .put("contentEncoding", "base64")) : null);
        SchemaGenerator generator = new SchemaGenerator(config.build());
        ObjectNode channels = doc.putObject("channels");
        ObjectNode operations = doc.putObject("operations");
        ObjectNode messages = doc.putObject("components").putObject("messages");
        for (Channel c : channels()) {
            String name = c.topic().replace("{tenant}", "tenant");
            String messageName = c.message() == null ? "DeadLetter" : c.message().getSimpleName();
            ObjectNode channel = channels.putObject(name).put("address", c.topic()).put("description",
                    c.description());
            if (c.topic().contains("{tenant}")) {
                channel.putObject("parameters").putObject("tenant").put("description", "the tenant's id");
            }
            channel.putObject("messages").putObject(messageName).put("$ref", "#/components/messages/" + messageName);
            if (!messages.has(messageName)) {
                ObjectNode message = messages.putObject(messageName).put("name", messageName)
                        .put("contentType", "application/json");
                message.putObject("bindings").putObject("kafka").putObject("key").put("type", "string")
                        .put("description", c.key());
                if (!c.headers().isEmpty()) {
                    ObjectNode headers = message.putObject("headers").put("type", "object")
                            .putObject("properties");
                    c.headers().forEach((header, about) -> headers.putObject(header).put("type", "string")
                            .put("description", about));
                }
                if (c.message() != null) {
                    message.set("payload", generator.generateSchema(c.message()));
                }
            }
            for (String producer : c.producers()) {
                operation(operations, name, "send", producer);
            }
            for (String consumer : c.consumers()) {
                operation(operations, name, "receive", consumer);
            }
        }
        return doc;
    }

    private static void operation(ObjectNode operations, String channel, String action, String who) {
        String id = (who.startsWith("the tenant") ? "tenant" : who) + "-" + action + "s-" + channel.replace('.', '-');
        ObjectNode operation = operations.putObject(id).put("action", action).put("description", who);
        operation.putObject("channel").put("$ref", "#/channels/" + channel.replace("/", "~1"));
    }

    @Test
    void theServedDocumentIsTheOneTheRecordsMake() throws IOException {
        ObjectNode generated = document();
        if (Boolean.getBoolean("asyncapi.regenerate")) {
            Files.writeString(DOCUMENT, JSON.writeValueAsString(generated) + "\n");
        }
        JsonNode committed = JSON.readTree(DOCUMENT.toFile());
        assertThat(committed).as("regenerate " + DOCUMENT + " (see this test's comment)").isEqualTo(generated);
    }

    @Test
    void everyTopicHasAChannel() {
        List<String> topics = Arrays.stream(Topics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .filter(f -> !f.getName().endsWith("_PATTERN")).map(AsyncApiDocumentTest::value).toList();
        assertThat(channels().stream().map(Channel::topic)).containsAll(topics)
                .contains("transferlab.tenants.{tenant}.training-requests");
        assertThat(document().path("components").path("messages").path("TrainingRequest").path("payload")
                .path("properties").path("jobId").path("type").asText()).isEqualTo("string");
        assertThat(document().path("components").path("messages").path("TrainingEvent").path("payload")
                .path("properties").path("timestamp").path("format").asText()).isEqualTo("date-time");
        assertThat(document().path("components").path("messages").path("InferenceRequest").path("payload")
                .path("properties").path("image").path("contentEncoding").asText()).isEqualTo("base64");
    }

    private static String value(java.lang.reflect.Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
