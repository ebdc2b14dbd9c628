package dev.transferlab.api.jobs;

import dev.transferlab.api.infra.KafkaClients;
import dev.transferlab.common.messages.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Whether the projection has read the events topic up to where it ended when this replica started. Until then the
 * replica is not ready: a restarted replica must not answer 404 for a job it simply has not replayed yet. Once
 * caught up it stays ready.
 */
@ApplicationScoped
public class ProjectionCatchUp {
    private final Map<Integer, Long> consumed = new ConcurrentHashMap<>();
    private volatile Map<Integer, Long> endOffsetsAtStart;
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
                if (endOffsetsAtStart == null) {
                    Map<Integer, Long> endOffsets = endOffsets();
                    if (endOffsets.isEmpty()) {
                        // Metadata can say a topic is unknown just after it was created; taking that for "nothing
                        // to replay" made a restarted replica ready before it had read a single event. The events
                        // consumer's subscription creates the topic on a new cluster, so this passes on its own.
                        return HealthCheckResponse.named("job-projection").down()
                                .withData("waiting", "no partitions of " + Topics.TRAINING_EVENTS + " known yet")
                                .build();
                    }
                    endOffsetsAtStart = endOffsets;
                }
                caughtUp = endOffsetsAtStart.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0 || consumed.getOrDefault(e.getKey(), -1L) >= e.getValue() - 1);
            } catch (RuntimeException e) {
                return HealthCheckResponse.named("job-projection").down().withData("error", String.valueOf(e))
                        .build();
            }
        }
        return HealthCheckResponse.named("job-projection").status(caughtUp)
                .withData("replayed", String.valueOf(consumed)).build();
    }

    private Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = kafkaClients.metadataConsumer()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.TRAINING_EVENTS, Duration.ofSeconds(5));
            if (partitions == null || partitions.isEmpty()) {
                return Map.of();
            }
            return consumer.endOffsets(partitions.stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList(), Duration.ofSeconds(5))
                    .entrySet().stream().collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
        }
    }
}
