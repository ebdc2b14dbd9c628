package dev.transferlab.api.jobs;

import dev.transferlab.api.datasets.TestArchives;
import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.quarkus.test.common.QuarkusTestResource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A replica's start on a store that has taken in part of the events topic, on a real broker and PostgreSQL: it reads
 * the topic from the store's offset, not from the beginning (a job and a malformed record before that offset stay
 * unread), takes in the rest, where malformed events lie among a good job's and its accepted event comes again,
 * becomes ready, lists the good job once, deletes a dataset, and has dead-lettered each malformed event after the
 * offset with its reason.
 */
@QuarkusTest
@QuarkusTestResource(value = ProjectionReplayIT.PrefilledEvents.class, restrictToAnnotatedClass = true)
class ProjectionReplayIT {

    static final String NOT_JSON = "not json {";
    static final String UNKNOWN_TYPE = "{\"schemaVersion\": 1, \"type\": \"exploded\", \"eventId\": "
            + "\"job-good:exploded\", \"jobId\": \"job-good\", \"tenant\": \"default\", \"timestamp\": "
            + "\"2026-01-01T00:00:00Z\"}";
    static final String EPOCH_WITHOUT_METRICS = "{\"schemaVersion\": 1, \"type\": \"epoch-completed\", \"eventId\": "
            + "\"job-ghost:epoch-completed:1\", \"jobId\": \"job-ghost\", \"tenant\": \"default\", \"timestamp\": "
            + "\"2026-01-01T00:00:00Z\", \"epoch\": 1}";
    static final String OTHER_TENANTS = Messages.toJson(TrainingEvent.builder("job-good", "intruder",
            TrainingEventType.CANCELLED).message("not yours").build());

    static final String NOT_JSON_BEFORE = "not json, and before the store's offset {";

    /**
     * The broker, object store and job store, with the events topic filled and the store holding its first three
     * records' outcome, as an earlier replica left it, before the api-service starts.
     */
    public static class PrefilledEvents extends LocalInfraResource {
        static String bootstrap;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            bootstrap = config.get("kafka.bootstrap.servers");
            TrainingRequest request = TrainingRequest.of("job-good", "default", "s3://transferlab/elsewhere/",
                    BackboneSpec.densenet121(), Hyperparameters.defaults());
            TrainingEvent accepted = TrainingEvent.builder("job-good", "default", TrainingEventType.ACCEPTED)
                    .request(request).build();
            List<String> records = List.of(
                    event(TrainingEvent.builder("job-skipped", "default", TrainingEventType.ACCEPTED)
                            .request(TrainingRequest.of("job-skipped", "default", "s3://transferlab/elsewhere/",
                                    BackboneSpec.densenet121(), Hyperparameters.defaults()))),
                    NOT_JSON_BEFORE,
                    Messages.toJson(accepted),
                    NOT_JSON,
                    event(TrainingEvent.builder("job-good", "default", TrainingEventType.STARTED)),
                    UNKNOWN_TYPE,
                    EPOCH_WITHOUT_METRICS,
                    OTHER_TENANTS,
                    Messages.toJson(accepted),
                    event(TrainingEvent.builder("job-good", "default", TrainingEventType.COMPLETED)
                            .model("job-good", Map.of(), 1)));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                for (String value : records) {
                    producer.send(new ProducerRecord<>(Topics.TRAINING_EVENTS, "job-good", value))
                            .get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot fill " + Topics.TRAINING_EVENTS, e);
            }
            PGSimpleDataSource db = new PGSimpleDataSource();
            db.setURL(config.get("quarkus.datasource.jdbc.url"));
            db.setUser(config.get("quarkus.datasource.username"));
            Flyway.configure().dataSource(db).load().migrate();
            new JobStore(db).apply(List.of(accepted), Map.of(0, 3L));
            return config;
        }

        private static String event(TrainingEvent.Builder builder) {
            return Messages.toJson(builder.build());
        }
    }

    @Test
    void aRestartReadsFromTheStoresOffsetAndMalformedOrRepeatedEventsAfterItLeaveTheStoreWorking() {
        awaitReady();

        RestAssured.given().get("/v1/training-jobs").then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].id", equalTo("job-good"))
                .body("items[0].state", equalTo("completed"))
                .body("items[0].events", equalTo(3));
        RestAssured.given().get("/v1/training-jobs/job-ghost").then().statusCode(404);
        RestAssured.given().get("/v1/training-jobs/job-skipped").then().statusCode(404);

        String location = RestAssured.given().contentType("application/zip")
                .body(new TestArchives().images("", 10, "a", "b").zip()).post("/v1/datasets?name=replay")
                .then().statusCode(201).extract().header("Location");
        RestAssured.given().delete(location).then().statusCode(204);

        Map<String, String> reasons = deadLetterReasons(4);
        assertThat(reasons).containsOnlyKeys(NOT_JSON, UNKNOWN_TYPE, EPOCH_WITHOUT_METRICS, OTHER_TENANTS);
        assertThat(reasons.get(NOT_JSON)).contains("not JSON");
        assertThat(reasons.get(UNKNOWN_TYPE)).contains("unknown training event type: exploded");
        assertThat(reasons.get(EPOCH_WITHOUT_METRICS)).contains("job job-ghost, which was never accepted");
        assertThat(reasons.get(OTHER_TENANTS)).contains("names tenant intruder", "belongs to another tenant");
    }

    private static void awaitReady() {
        Instant giveUp = Instant.now().plusSeconds(120);
        while (RestAssured.given().get("/q/health/ready").statusCode() != 200) {
            assertThat(Instant.now()).as("the api-service caught up with the events topic").isBefore(giveUp);
            sleep();
        }
    }

    /** The dead-lettered records' values and reasons, once there are {@code count} of them. */
    private static Map<String, String> deadLetterReasons(int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, PrefilledEvents.bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-dead-letters-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.DEAD_LETTERS));
            Map<String, String> reasons = new HashMap<>();
            Instant giveUp = Instant.now().plusSeconds(60);
            while (reasons.size() < count && Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    Header reason = record.headers().lastHeader("dead-letter-reason");
                    reasons.put(record.value(), reason == null ? null
                            : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
            // One more poll: a fifth, unexpected record would show up in the assertion.
            consumer.poll(Duration.ofSeconds(2)).forEach(r -> reasons.put(r.value(), "unexpected"));
            return reasons;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
