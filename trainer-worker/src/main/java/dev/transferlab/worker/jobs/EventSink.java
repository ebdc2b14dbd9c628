package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.TrainingEvent;

/** Where a job's events go; the messaging layer publishes them to Kafka and waits for the broker's ack. */
@FunctionalInterface
public interface EventSink {
    void publish(TrainingEvent event);
}
