package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands from tenants' own topics and commands whose dataset lies outside their tenant's areas, against a real
 * broker and S3 server: what is refused is dead-lettered or failed with its reason, and leaves storage as it was.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(TenantCommandsIT.Tenants.class)
class TenantCommandsIT {
    private static final String ACME_TOPIC = Topics.tenantTrainingRequests("acme");
    private static final String GLOBEX_DATASET = "datasets/globex/ds-g/files/";
    private static final String GLOBEX_MODEL = StorageLayout.modelManifest("globex", "job-g");

    public static class Tenants implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("transferlab.backbone.allow-random-weights", "true",
                    // So that a topic created during the test is found within seconds (60 s in production).
                    "mp.messaging.incoming.training-requests.metadata.max.age.ms", "1000",
                    "transferlab.dataset-grants.acme", "s3://" + RealBroker.BUCKET + "/imports/acme/");
        }
    }

    @Test
    void aCommandForAnotherTenantOnATenantsTopicIsDeadLetteredAndNothingIsReadOrWrittenForIt() throws Exception {
        Set<String> before = globexAreaAndAllKeys();
        TrainingRequest intruder = TrainingRequest.of("job-intruder", "globex",
                "s3://" + RealBroker.BUCKET + "/" + GLOBEX_DATASET, RealBroker.TINY, RealBroker.QUICK);
        send(ACME_TOPIC, intruder);

        ConsumerRecord<String, String> dead = deadLetter(intruder.jobId(), Duration.ofSeconds(60));
        assertThat(header(dead, "dead-letter-reason")).isEqualTo("a command for tenant 'globex' arrived on "
                + ACME_TOPIC + ", which only tenant 'acme' may write to; a tenant's producer sends its own tenant's "
                + "commands to its own topic");
        assertThat(header(dead, "dead-letter-topic")).isEqualTo(ACME_TOPIC);
        assertThat(eventsSoFar(intruder.jobId())).isEmpty();
        assertThat(allKeys()).as("no model, checkpoint or feature written").isEqualTo(before);

        // A tenant topic the platform team creates while the worker runs is subscribed to within seconds.
        String initech = Topics.tenantTrainingRequests("initech");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealBroker.infra.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(initech, Optional.empty(), Optional.empty()))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        TrainingRequest acmeOnInitech = TrainingRequest.of("job-acme-on-initech", "acme",
                "s3://" + RealBroker.BUCKET + "/datasets/acme/ds-a/files/", RealBroker.TINY, RealBroker.QUICK);
        send(initech, acmeOnInitech);
        assertThat(header(deadLetter(acmeOnInitech.jobId(), Duration.ofSeconds(30)), "dead-letter-reason"))
                .contains("tenant 'acme' arrived on " + initech + ", which only tenant 'initech' may write to");
        assertThat(eventsSoFar(acmeOnInitech.jobId())).isEmpty();
        assertThat(allKeys()).isEqualTo(before);
    }

    @Test
    void aTenantsCommandOnItsOwnTopicTrainsOnAPrefixGrantedToIt() throws Exception {
        String dataset = RealBroker.putDataset("imports/acme/pets/", 4);
        TrainingRequest own = TrainingRequest.of("job-acme-own", "acme", dataset, RealBroker.TINY, RealBroker.QUICK);
        send(ACME_TOPIC, own);

        List<TrainingEvent> events = RealBroker.eventsUntilTheEnd(own.jobId());
        assertThat(events.get(0).type()).as("the worker accepts it, as no api-service saw it")
                .isEqualTo(TrainingEventType.ACCEPTED);
        assertThat(events.get(0).request()).isEqualTo(own);
        assertThat(events.get(events.size() - 1).type()).as(events.toString()).isEqualTo(TrainingEventType.COMPLETED);
        assertThat(allKeys()).contains(StorageLayout.modelManifest("acme", own.jobId()));
    }

    @Test
    void aJobWhoseDatasetLiesOutsideItsTenantsAreasFailsWithTheReasonAndTouchesNothing() throws Exception {
        Set<String> before = globexAreaAndAllKeys();
        String bucket = "s3://" + RealBroker.BUCKET + "/";
        List<String> locations = List.of(bucket + "models/", bucket + GLOBEX_DATASET,
                bucket + "datasets/acme/../" + GLOBEX_DATASET.substring("datasets/".length()));
        for (int i = 0; i < locations.size(); i++) {
            send(Topics.TRAINING_REQUESTS, TrainingRequest.of("job-elsewhere-" + i, "acme", locations.get(i),
                    RealBroker.TINY, RealBroker.QUICK));
        }

        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < locations.size(); i++) {
            List<TrainingEvent> events = RealBroker.eventsUntilTheEnd("job-elsewhere-" + i);
            assertThat(events).extracting(TrainingEvent::type).as("nothing started")
                    .containsExactly(TrainingEventType.FAILED);
            reasons.add(events.get(0).reason());
            assertThat(reasons.get(i)).startsWith("dataset refused: ").contains(locations.get(i))
                    .contains("transferlab.dataset-grants.acme")
                    .as("no key of what lies there").doesNotContain("job-g", "manifest", "train/");
        }
        assertThat(reasons.get(0)).contains("is not in a dataset area of tenant 'acme'");
        assertThat(reasons.get(2)).contains("'..' segment");
        assertThat(allKeys()).as("no model, checkpoint or feature written").isEqualTo(before);
    }

    /** Globex's dataset and model, which acme's jobs must not see; then every key in the bucket. */
    private static Set<String> globexAreaAndAllKeys() {
        RealBroker.putDataset(GLOBEX_DATASET, 2);
        try (ObjectStore store = RealBroker.store()) {
            store.put(store.inDefaultBucket(GLOBEX_MODEL), "{}".getBytes(StandardCharsets.UTF_8),
                    "application/json");
        }
        return allKeys();
    }

    private static Set<String> allKeys() {
        try (ObjectStore store = RealBroker.store()) {
            return store.list(store.inDefaultBucket("")).stream().map(S3Object::key).collect(Collectors.toSet());
        }
    }

    private static void send(String topic, TrainingRequest request) throws Exception {
        try (KafkaProducer<String, String> producer = RealBroker.producer()) {
            producer.send(new ProducerRecord<>(topic, request.jobId(), Messages.toJson(request)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static ConsumerRecord<String, String> deadLetter(String key, Duration within) {
        try (KafkaConsumer<String, String> consumer = RealBroker.consumer(Topics.DEAD_LETTERS)) {
            Instant giveUp = Instant.now().plus(within);
            while (Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        return r;
                    }
                }
            }
            throw new AssertionError("no dead letter for " + key + " within " + within);
        }
    }

    /** The job's events on the topic now: everything up to its end offsets, read. */
    private static List<TrainingEvent> eventsSoFar(String jobId) {
        try (KafkaConsumer<String, String> consumer = RealBroker.consumer(Topics.TRAINING_EVENTS)) {
            List<TrainingEvent> events = new ArrayList<>();
            Instant giveUp = Instant.now().plusSeconds(60);
            Map<TopicPartition, Long> end = null;
            while (end == null || end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertThat(Instant.now()).as("events topic read to its end").isBefore(giveUp);
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (jobId.equals(r.key())) {
                        events.add(Messages.fromJson(r.value(), TrainingEvent.class));
                    }
                });
                if (end == null && !consumer.assignment().isEmpty()) {
                    end = consumer.endOffsets(consumer.assignment());
                }
            }
            return events;
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
