package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.worker.jobs.EventSink;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes a job's events keyed by job id, waiting for the broker's ack so events leave in order. */
@ApplicationScoped
public class KafkaEventSink implements EventSink {

    @Inject
    @Channel("training-events")
    MutinyEmitter<Record<String, String>> emitter;

    @Override
    public void publish(TrainingEvent event) {
        emitter.sendAndAwait(Record.of(event.jobId(), Messages.toJson(event)));
    }
}
