package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.TrainingEvent;

/**
 * Where a job's events go; the messaging layer publishes them to Kafka and waits for the broker's ack. A training job
 * publishes from two threads (its checkpoints' {@code checkpointed} events come from the uploads' own), so a sink
 * must be safe to call concurrently; the events of each thread stay in their order.
 */
@FunctionalInterface
public interface EventSink {
    void publish(TrainingEvent event);
}
