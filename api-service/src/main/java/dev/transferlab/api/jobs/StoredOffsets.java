package dev.transferlab.api.jobs;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Map;

/**
 * Starts this replica's events consumer where the job store says the topic was applied to, by any replica, rather
 * than at the topic's beginning: start-up then costs what happened since, not everything that ever did. A partition
 * the store has not seen starts at its earliest retained record.
 */
@ApplicationScoped
@Identifier(StoredOffsets.NAME)
public class StoredOffsets implements KafkaConsumerRebalanceListener {
    static final String NAME = "job-store-offsets";

    @Inject
    JobProjection projection;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<Integer, Long> applied = projection.store().nextOffsets();
        for (TopicPartition partition : partitions) {
            Long next = applied.get(partition.partition());
            if (next != null) {
                consumer.seek(partition, next);
            }
        }
    }
}
