package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.jobs.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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
        String dataset = RealBroker.putDataset("datasets/default/long-job/", 6);
        LogCapture logs = LogCapture.start();
        List<TrainingEvent> events;
        try {
            TrainingRequest request = TrainingRequest.of("job-long", "default", dataset,
                    new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2),
                    new Hyperparameters(150, 2, 1e-3, 16, 0.25, 1, null));
            try (KafkaProducer<String, String> producer = RealBroker.producer()) {
                producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, request.jobId(),
                        Messages.toJson(request))).get(30, TimeUnit.SECONDS);
            }
            events = RealBroker.eventsUntilTheEnd(request.jobId());
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
}
