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

/**
 * Whether the job store has taken in the events topic up to where it ended when this replica started, by this
 * replica's consumer or another's (the store's applied offsets, {@link StoredOffsets}). Until then the replica is not
 * ready: it must not answer 404 for a job that is in the topic but not in the store yet. Once caught up it stays
 * ready. A replica restarted on a store that is up to date is ready at once: it reads nothing of the topic's history.
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
    /** Per partition, the offset of the last record to take in; -1 when there is none. */
    private volatile Map<Integer, Long> lastRecordsAtStart;
    private volatile boolean caughtUp;
    private volatile Map<Integer, Long> applied = Map.of();

    @Inject
    KafkaClients kafkaClients;

    @Inject
    JobProjection projection;

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
                        // to take in" made a restarted replica ready before it had read a single event. The events
                        // consumer's subscription creates the topic on a new cluster, so this passes on its own.
                        return HealthCheckResponse.named("job-projection").down()
                                .withData("waiting", "no partitions of " + Topics.TRAINING_EVENTS + " known yet")
                                .build();
                    }
                    lastRecordsAtStart = lastRecords;
                }
                applied = projection.store().nextOffsets();
                caughtUp = lastRecordsAtStart.entrySet().stream()
                        .allMatch(e -> applied.getOrDefault(e.getKey(), 0L) > e.getValue());
            } catch (RuntimeException e) {
                return HealthCheckResponse.named("job-projection").down().withData("error", String.valueOf(e))
                        .build();
            }
        }
        return HealthCheckResponse.named("job-projection").status(caughtUp)
                .withData("applied", String.valueOf(applied)).build();
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
