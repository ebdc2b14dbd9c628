package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.worker.jobs.TrialQueue;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** A sweep's trials onto the sweep-trials topic, each awaited, for {@link SweepTrialConsumer}s on every worker. */
@ApplicationScoped
public class KafkaTrialQueue implements TrialQueue {

    @Inject
    @Channel("sweep-trial-requests")
    MutinyEmitter<String> emitter;

    @Override
    public void offer(SweepTrialRequest trial) {
        emitter.sendMessageAndAwait(Message.of(Messages.toJson(trial))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(trial.key()).build()));
    }
}
