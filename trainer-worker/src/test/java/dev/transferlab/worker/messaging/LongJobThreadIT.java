package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.worker.jobs.TrainingJob;
import dev.transferlab.worker.ml.TestImages;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job that runs far longer than Vert.x lets a worker thread be blocked is not reported by the blocked-thread
 * checker: it runs on the worker's own "training-job" thread. The checker's limit is lowered to 1 s for this test, and
 * a Vert.x worker blocked on purpose as long shows that the warning would be seen.
 */
@QuarkusTest
@QuarkusTestResource(value = RealBroker.class, restrictToAnnotatedClass = true)
@TestProfile(LongJobThreadIT.StrictBlockedThreadChecker.class)
class LongJobThreadIT {
    private static final String BLOCKED = "has been blocked for";

    public static class StrictBlockedThreadChecker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.vertx.max-worker-execute-time", "1s",
                    "quarkus.vertx.warning-exception-time", "1s",
                    "transferlab.backbone.allow-random-weights", "true");
        }
    }

    @Inject
    Vertx vertx;

    @Test
    void aJobLongerThanTheWorkerThreadLimitRunsOnTheTrainingThreadAndIsNeverReportedAsBlocked() throws Exception {
        String dataset = putDataset("datasets/default/long-job/");
        LogCapture logs = LogCapture.start();
        List<TrainingEvent> events;
        try {
            TrainingRequest request = TrainingRequest.of("job-long", "default", dataset,
                    new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2),
                    new Hyperparameters(150, 2, 1e-3, 16, 0.25, 1, null));
            try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, request.jobId(),
                        Messages.toJson(request))).get(30, TimeUnit.SECONDS);
            }
            events = eventsUntilTheEnd(request.jobId());
        } finally {
            logs.stop();
        }

        assertThat(events.get(events.size() - 1).type()).isEqualTo(TrainingEventType.COMPLETED);
        Instant started = events.stream().filter(e -> e.type() == TrainingEventType.STARTED).findFirst()
                .orElseThrow().timestamp();
        assertThat(Duration.between(started, events.get(events.size() - 1).timestamp()))
                .as("the job outlasts the 1 s limit and the checker's 1 s interval")
                .isGreaterThan(Duration.ofSeconds(3));
        assertThat(logs.matching(BLOCKED)).isEmpty();
        List<ExtLogRecord> jobLines = logs.matching("job-long");
        assertThat(jobLines).extracting(LogRecord::getLoggerName).as("the consumer's and the job's own lines")
                .contains(TrainingRequestConsumer.class.getName(), TrainingJob.class.getName());
        assertThat(jobLines).extracting(ExtLogRecord::getThreadName).containsOnly("training-job");

        // The control: what the job ran on before, a named Vert.x worker pool (@Blocking("training")), whose threads
        // the checker watches (Quarkus' default executor-thread pool it does not).
        LogCapture control = LogCapture.start();
        WorkerExecutor pool = vertx.createSharedWorkerExecutor("blocked-thread-control", 1);
        try {
            pool.executeBlocking(() -> {
                Thread.sleep(5_000);
                return null;
            }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            pool.close();
            control.stop();
        }
        assertThat(control.matching(BLOCKED)).as("a Vert.x worker blocked as long is reported").isNotEmpty();
    }

    /** Every log record of the worker, through a handler on the root logger (JBoss LogManager under JUL). */
    private static final class LogCapture extends Handler {
        private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();

        static LogCapture start() {
            LogCapture capture = new LogCapture();
            Logger.getLogger("").addHandler(capture);
            return capture;
        }

        void stop() {
            Logger.getLogger("").removeHandler(this);
        }

        List<ExtLogRecord> matching(String text) {
            return records.stream().filter(r -> String.valueOf(r.getFormattedMessage()).contains(text)).toList();
        }

        @Override
        public void publish(LogRecord record) {
            records.add(ExtLogRecord.wrap(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static String putDataset(String prefix) {
        S3Settings settings = S3Settings.selfHosted(RealBroker.infra.s3Endpoint(), RealBroker.infra.accessKey(),
                RealBroker.infra.secretKey(), "transferlab");
        try (ObjectStore store = new ObjectStore(settings)) {
            store.ensureBucket("transferlab");
            for (String label : List.of("blue", "red")) {
                for (int i = 0; i < 6; i++) {
                    BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                    var g = image.createGraphics();
                    g.setColor(label.equals("red") ? new Color(220, 10 * i, 0) : new Color(0, 10 * i, 220));
                    g.fillRect(0, 0, 32, 32);
                    g.dispose();
                    store.put(store.inDefaultBucket(prefix + "train/" + label + "/" + i + ".png"),
                            TestImages.png(image), "image/png");
                }
            }
        }
        return "s3://transferlab/" + prefix;
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RealBroker.infra.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    private static List<TrainingEvent> eventsUntilTheEnd(String jobId) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RealBroker.infra.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-events-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.TRAINING_EVENTS));
            Instant giveUp = Instant.now().plus(Duration.ofMinutes(5));
            List<TrainingEvent> events = new ArrayList<>();
            while (Instant.now().isBefore(giveUp)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (jobId.equals(r.key())) {
                        events.add(Messages.fromJson(r.value(), TrainingEvent.class));
                    }
                });
                if (!events.isEmpty() && events.get(events.size() - 1).type().isTerminal()) {
                    return events;
                }
            }
            throw new AssertionError("job " + jobId + " did not end within 5 minutes; events: " + events);
        }
    }
}
