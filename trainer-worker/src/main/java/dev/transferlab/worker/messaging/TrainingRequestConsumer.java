package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneLimits;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.worker.jobs.Draining;
import dev.transferlab.worker.jobs.TrainingJob;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs training commands one at a time on the worker's {@link JobThread}. The connector hands over the next command
 * only when this one's stage completes. A record that is not a valid command, or that arrived on a tenant's own topic
 * ({@link CommandChecks#fromTopic}) for another tenant, is rejected (the connector dead-letters it with the reason)
 * before anything is read; a valid command always ends in an event, even when the job fails. The command is
 * acknowledged (its offset committed) only when the job has ended; a job released because this worker shuts down is
 * neither acknowledged nor rejected, so that the worker the partition goes to next gets it again and resumes it from
 * its checkpoint.
 */
@ApplicationScoped
public class TrainingRequestConsumer {
    private static final Logger LOG = Logger.getLogger(TrainingRequestConsumer.class);

    @Inject
    TrainingJob trainingJob;

    @Inject
    JobThread jobThread;

    @Inject
    KafkaEventSink events;

    @Inject
    WorkerMetrics metrics;

    @Inject
    Draining draining;

    @Inject
    BackboneLimits backboneLimits;

    @Incoming("training-requests")
    public CompletionStage<Void> onRequest(Message<String> message) {
        TrainingRequest request;
        String topic;
        try {
            topic = topic(message);
            request = CommandChecks.fromTopic(CommandChecks.valid(Messages.fromJson(message.getPayload(),
                    TrainingRequest.class), backboneLimits.budget()), topic);
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        boolean fromTenant = Topics.tenantOfTrainingRequests(topic).isPresent();
        return jobThread.run(() -> run(request, fromTenant ? topic : null))
                .thenCompose(settled -> settled ? message.ack() : CompletableFuture.completedFuture(null));
    }

    private static String topic(Message<String> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getTopic)
                .orElseThrow(() -> new IllegalStateException("the record came without its Kafka metadata"));
    }

    /**
     * Whether the command is done with (acknowledged), rather than left for another worker.
     *
     * @param tenantTopic the tenant's own topic the command came from, or null for the api-service's
     */
    private boolean run(TrainingRequest request, String tenantTopic) {
        if (tenantTopic != null) {
            // Nobody else saw a command its tenant wrote straight to Kafka: this accepted event makes the job exist
            // for the api-service (listing, its event stream). Its id is the job's, so a redelivery adds none.
            events.publish(TrainingEvent.builder(request.jobId(), request.tenant(), TrainingEventType.ACCEPTED)
                    .request(request).message("accepted from " + tenantTopic).build());
        }
        if (draining.isDraining()) {
            // Received while this worker shuts down (it was waiting in the connector's buffer): left for the next one.
            LOG.infof("job %s: not started, this worker is shutting down", request.jobId());
            metrics.jobEnded(TrainingJob.Outcome.NOT_STARTED);
            return false;
        }
        LOG.infof("job %s: training on %s", request.jobId(), request.dataset());
        TrainingJob.Outcome outcome = trainingJob.run(request, events);
        LOG.infof("job %s: %s", request.jobId(), outcome);
        metrics.jobEnded(outcome);
        return outcome.settled();
    }
}
