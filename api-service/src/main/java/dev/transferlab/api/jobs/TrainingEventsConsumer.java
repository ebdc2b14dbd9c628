package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.TrainingEvent;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Feeds the job store from the events topic, one transaction per polled batch (a replica's first start on a topic
 * with years of history has millions of events to store). A record that is not an event, or an event that does not
 * fit its job, is nacked rather than thrown: the connector dead-letters it with the reason, and the log gets one line
 * for it instead of the stack trace it writes for a method that throws. The offsets after the batch are stored with
 * it ({@link StoredOffsets} starts the next replica there).
 */
@ApplicationScoped
public class TrainingEventsConsumer {
    private static final int STORE_ATTEMPTS = 30;
    private static final Duration STORE_RETRY = Duration.ofSeconds(2);

    @Inject
    JobProjection projection;

    @Incoming("training-events")
    @Blocking // ordered: one batch after another
    public CompletionStage<Void> onEvents(KafkaRecordBatch<String, String> batch) {
        List<KafkaRecord<String, String>> eventRecords = new ArrayList<>();
        List<TrainingEvent> events = new ArrayList<>();
        List<CompletionStage<Void>> nacks = new ArrayList<>();
        // A dead-lettered record is behind us too.
        Map<Integer, Long> nextOffsets = new HashMap<>();
        for (KafkaRecord<String, String> record : batch.getRecords()) {
            long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow().getOffset();
            nextOffsets.merge(record.getPartition(), offset + 1, Math::max);
            try {
                events.add(Messages.fromJson(record.getPayload(), TrainingEvent.class));
                eventRecords.add(record);
            } catch (MalformedMessageException e) {
                nacks.add(record.nack(e));
            }
        }
        applyAll(events, nextOffsets).forEach((i, reason) -> nacks.add(eventRecords.get(i).nack(reason)));
        return CompletableFuture.allOf(nacks.stream().map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new)).thenCompose(ignored -> batch.ack());
    }

    /**
     * Waits out a store that is briefly away (a failover, a restart) rather than failing the batch, which would
     * dead-letter every record in it.
     */
    private Map<Integer, UnfitEventException> applyAll(List<TrainingEvent> events, Map<Integer, Long> nextOffsets) {
        for (int attempt = 1; ; attempt++) {
            try {
                return projection.applyAll(events, nextOffsets);
            } catch (IllegalStateException e) {
                if (attempt == STORE_ATTEMPTS) {
                    throw e;
                }
                Log.warnf("job store unavailable (attempt %d of %d): %s", attempt, STORE_ATTEMPTS, e.getMessage());
                try {
                    Thread.sleep(STORE_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
