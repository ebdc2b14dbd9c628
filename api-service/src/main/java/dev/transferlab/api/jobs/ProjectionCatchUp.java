package dev.transferlab.api.jobs;

import dev.transferlab.api.infra.KafkaClients;
import dev.transferlab.common.messages.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the projection has read the events topic up to where it ended when this replica started. Until then the
 * replica is not ready: a restarted replica must not answer 404 for a job it simply has not replayed yet. Once
 * caught up it stays ready.
 * <p>
 * "Up to where it ended" is the last record a read_committed reader gets before the end offset, not the offset before
 * the end: a transaction's commit or abort marker takes an offset of its own that no consumer ever receives, and
 * aborted records are never received either ({@link JobTransactions}).
 */
@ApplicationScoped
public class ProjectionCatchUp {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long TAIL = 16;
    private final Map<Integer, Long> consumed = new ConcurrentHashMap<>();
    /** Per partition, the offset of the last record to replay; -1 when there is none. */
    private volatile Map<Integer, Long> lastRecordsAtStart;
    private volatile boolean caughtUp;

    @Inject
    KafkaClients kafkaClients;

    /** Records that the event at this offset was applied. */
    public void applied(int partition, long offset) {
        consumed.merge(partition, offset, Math::max);
    }

    /** The readiness check; the bean itself cannot be one, as {@code @Readiness} is also a qualifier. */
    @Produces
    @Readiness
    HealthCheck readiness() {
        return this::check;
    }

    HealthCheckResponse check() {
        if (!caughtUp) {
            try {
                if (lastRecordsAtStart == null) {
                    Map<Integer, Long> lastRecords = lastRecords();
                    if (lastRecords.isEmpty()) {
                        // Metadata can say a topic is unknown just after it was created; taking that for "nothing
                        // to replay" made a restarted replica ready before it had read a single event. The events
                        // consumer's subscription creates the topic on a new cluster, so this passes on its own.
                        return HealthCheckResponse.named("job-projection").down()
                                .withData("waiting", "no partitions of " + Topics.TRAINING_EVENTS + " known yet")
                                .build();
                    }
                    lastRecordsAtStart = lastRecords;
                }
                caughtUp = lastRecordsAtStart.entrySet().stream()
                        .allMatch(e -> consumed.getOrDefault(e.getKey(), -1L) >= e.getValue());
            } catch (RuntimeException e) {
                return HealthCheckResponse.named("job-projection").down().withData("error", String.valueOf(e))
                        .build();
            }
        }
        return HealthCheckResponse.named("job-projection").status(caughtUp)
                .withData("replayed", String.valueOf(consumed)).build();
    }

    private Map<Integer, Long> lastRecords() {
        try (KafkaConsumer<byte[], byte[]> consumer = kafkaClients.committedReader()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.TRAINING_EVENTS, TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                return Map.of();
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList(), TIMEOUT);
            Map<Integer, Long> last = new HashMap<>();
            ends.forEach((partition, end) -> last.put(partition.partition(), lastRecordBefore(consumer, partition, end)));
            return last;
        }
    }

    /**
     * Reads back from {@code end} until a record turns up: usually within the last few offsets, as markers take one
     * offset per transaction and partition.
     */
    private static long lastRecordBefore(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end) {
        consumer.assign(List.of(partition));
        long tail = TAIL;
        Instant giveUp = Instant.now().plus(TIMEOUT);
        while (true) {
            long from = Math.max(0, end - tail);
            consumer.seek(partition, from);
            long last = -1;
            while (consumer.position(partition, TIMEOUT) < end) {
                if (Instant.now().isAfter(giveUp)) {
                    throw new IllegalStateException("cannot read " + partition + " up to offset " + end);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(partition)) {
                    if (record.offset() < end) {
                        last = record.offset();
                    }
                }
            }
            if (last >= 0 || from == 0) {
                return last;
            }
            tail *= 4;
        }
    }
}
