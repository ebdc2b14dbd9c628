package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * {@link JobTransactions} on an in-memory channel, for {@link InMemoryMessaging} only: a Kafka transaction needs the
 * channel's Kafka producer, which an in-memory channel has not, so the same records are sent one after the other.
 * The transactions themselves are checked against a real broker (AtomicSubmissionIT).
 */
@Alternative
@ApplicationScoped
class InMemoryJobRecords extends JobTransactions {

    @Override
    @SuppressWarnings("unchecked")
    public Uni<Void> publish(TrainingEvent event, String commandTopic, Object command) {
        // SmallRye's KafkaTransactions is a MutinyEmitter of the channel, whatever the channel's connector.
        MutinyEmitter<String> emitter = (MutinyEmitter<String>) transactions;
        Uni<Void> sent = Uni.createFrom().voidItem();
        for (Message<String> record : records(event, commandTopic, command)) {
            sent = sent.chain(() -> emitter.sendMessage(record));
        }
        return sent;
    }
}
