package dev.transferlab.api.jobs;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.CloudEventAttributes;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A job is submitted, or its cancellation asked for, entirely or not at all, on a real broker: a failure between the
 * accepted event and the command leaves neither for any reader that reads committed records (the api's projection,
 * the workers' command consumers), although the accepted event did reach the broker. The events topic already holds
 * a committed and an aborted submission when the api starts, as another replica's would be.
 */
@QuarkusTest
@QuarkusTestResource(value = AtomicSubmissionIT.EarlierSubmissions.class, restrictToAnnotatedClass = true)
class AtomicSubmissionIT {
    static final String COMMITTED = "job-committed";
    static final String ABORTED = "job-aborted";
    private static final String JOBS = "/v1/training-jobs";
    private static final String DATASET = "s3://transferlab/datasets/default/atomic/";
    /** A command topic of this test's own, whose broker-side record limit a command can exceed. */
    private static final String SMALL_RECORDS = "it.small-records";
    private static final int SMALL_RECORDS_BYTES = 1024;

    @Inject
    JobTransactions transactions;

    /** The broker, and two submissions written before the api starts: one committed, one aborted after its event. */
    public static class EarlierSubmissions extends LocalInfraResource {
        static String bootstrap;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            bootstrap = config.get("kafka.bootstrap.servers");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(SMALL_RECORDS, 1, (short) 1).configs(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(SMALL_RECORDS_BYTES)))))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot create " + SMALL_RECORDS, e);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-earlier-replica",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                producer.initTransactions();
                for (String jobId : List.of(COMMITTED, ABORTED)) {
                    TrainingRequest request = TrainingRequest.of(jobId, "default", DATASET,
                            BackboneSpec.densenet121(), Hyperparameters.defaults());
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(Topics.TRAINING_EVENTS, jobId, Messages.toJson(
                            TrainingEvent.builder(jobId, "default", TrainingEventType.ACCEPTED).request(request)
                                    .build()))).get(30, TimeUnit.SECONDS);
                    if (jobId.equals(COMMITTED)) {
                        producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, jobId,
                                Messages.toJson(request))).get(30, TimeUnit.SECONDS);
                        producer.commitTransaction();
                    } else {
                        producer.abortTransaction();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot write the earlier submissions", e);
            }
            return config;
        }
    }

    @Test
    void aFailureBetweenTheTwoWritesLeavesNoHalfSubmittedJob() {
        awaitReady();
        // The replay skipped the aborted submission and saw the committed one, and readiness was not held up by the
        // transaction markers, which no consumer receives.
        assertThat(RestAssured.given().get(JOBS + "/" + COMMITTED).then().statusCode(200).extract()
                .path("state").toString()).isEqualTo("queued");
        RestAssured.given().get(JOBS + "/" + ABORTED).then().statusCode(404);

        String failed = "job-" + java.util.UUID.randomUUID();
        TrainingEvent accepted = TrainingEvent.builder(failed, "default", TrainingEventType.ACCEPTED)
                .request(TrainingRequest.of(failed, "default", DATASET, BackboneSpec.densenet121(),
                        Hyperparameters.defaults()))
                .build();
        // The second write fails at the broker, which appends the first: a command larger than its topic takes. A
        // command the producer itself refused could fail before the accepted event left the producer, and the abort
        // would then drop that event unsent.
        Map<String, String> tooLarge = Map.of("jobId", failed, "padding", "x".repeat(4 * SMALL_RECORDS_BYTES));
        assertThatThrownBy(() -> transactions.publish(accepted, SMALL_RECORDS, tooLarge).await()
                .atMost(Duration.ofSeconds(60))).hasStackTraceContaining("RecordTooLargeException");

        // The accepted event reached the broker; nobody reading committed records gets it.
        ConsumerRecord<String, String> written = only(failed, read(Topics.TRAINING_EVENTS, "read_uncommitted"));
        assertThat(keys(read(Topics.TRAINING_EVENTS, "read_committed"))).doesNotContain(failed);
        assertThat(keys(read(SMALL_RECORDS, "read_uncommitted"))).doesNotContain(failed);
        assertThat(keys(read(Topics.TRAINING_REQUESTS, "read_committed"))).doesNotContain(failed)
                .contains(COMMITTED);

        // The same producer submits the next job whole; several at once take turns rather than fail.
        List<String> submitted = IntStream.range(0, 4).mapToObj(i -> CompletableFuture.supplyAsync(() -> submit()))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(keys(read(Topics.TRAINING_REQUESTS, "read_committed"))).containsAll(submitted);
        assertThat(keys(read(Topics.TRAINING_EVENTS, "read_committed"))).containsAll(submitted);

        // A worker's event for one of them, after the aborted record in the same partition: once the projection has
        // applied it, it has read past the aborted accepted event, and did not take it.
        String next = submitted.get(0);
        TopicPartition partition = new TopicPartition(written.topic(), written.partition());
        publishStarted(next, partition);
        awaitState(next, "running");
        RestAssured.given().get(JOBS + "/" + failed).then().statusCode(404);

        // A cancellation is its event and its command, both committed.
        RestAssured.given().delete(JOBS + "/" + next).then().statusCode(202);
        List<ConsumerRecord<String, String>> nextEvents = read(Topics.TRAINING_EVENTS, "read_committed").stream()
                .filter(r -> r.key().equals(next)).toList();
        assertThat(nextEvents).extracting(r -> Messages.fromJson(r.value(), TrainingEvent.class).type())
                .contains(TrainingEventType.ACCEPTED, TrainingEventType.CANCEL_REQUESTED);
        assertThat(keys(read(Topics.TRAINING_CONTROL, "read_committed"))).contains(next);

        // The events the api writes are CloudEvents in the binary mode (the started one is this test's own).
        List<ConsumerRecord<String, String>> apis = nextEvents.stream().filter(r -> Messages.fromJson(r.value(),
                TrainingEvent.class).type() != TrainingEventType.STARTED).toList();
        assertThat(apis).hasSize(2).allSatisfy(AtomicSubmissionIT::assertCloudEvent);
    }

    private static void assertCloudEvent(ConsumerRecord<String, String> record) {
        TrainingEvent event = Messages.fromJson(record.value(), TrainingEvent.class);
        assertThat(header(record, "ce_specversion")).isEqualTo(CloudEventAttributes.SPEC_VERSION);
        assertThat(header(record, "ce_id")).isEqualTo(event.eventId());
        assertThat(header(record, "ce_type")).isEqualTo(CloudEventAttributes.TYPE_PREFIX + event.type().wireName());
        assertThat(header(record, "ce_source")).isEqualTo("/transferlab/api-service");
        assertThat(header(record, "ce_subject")).isEqualTo(event.jobId());
        assertThat(OffsetDateTime.parse(header(record, "ce_time")).toInstant()).isEqualTo(event.timestamp());
        assertThat(header(record, "content-type")).isEqualTo(CloudEventAttributes.DATA_CONTENT_TYPE);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as(name + " on " + record.value()).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String submit() {
        Response response = RestAssured.given().contentType("application/json")
                .body("{\"dataset\": \"" + DATASET + "\", \"epochs\": 1}").post(JOBS);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(202);
        return response.path("id");
    }

    private static void publishStarted(String jobId, TopicPartition partition) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EarlierSubmissions.bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), jobId, Messages.toJson(
                    TrainingEvent.builder(jobId, "default", TrainingEventType.STARTED).build())))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record of the topic up to its end for a reader of this isolation level. */
    private static List<ConsumerRecord<String, String>> read(String topic, String isolation) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EarlierSubmissions.bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant giveUp = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(Instant.now()).as("read " + topic + " to its end").isBefore(giveUp);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static List<String> keys(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::key).toList();
    }

    private static ConsumerRecord<String, String> only(String key, List<ConsumerRecord<String, String>> records) {
        List<ConsumerRecord<String, String>> matching = records.stream().filter(r -> r.key().equals(key)).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static void awaitState(String jobId, String state) {
        Instant giveUp = Instant.now().plusSeconds(60);
        while (!state.equals(RestAssured.given().get(JOBS + "/" + jobId).path("state"))) {
            assertThat(Instant.now()).as(jobId + " becomes " + state).isBefore(giveUp);
            pause();
        }
    }

    private static void awaitReady() {
        Instant giveUp = Instant.now().plusSeconds(120);
        while (RestAssured.given().get("/q/health/ready").statusCode() != 200) {
            assertThat(Instant.now()).as("the api-service caught up with the events topic").isBefore(giveUp);
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
