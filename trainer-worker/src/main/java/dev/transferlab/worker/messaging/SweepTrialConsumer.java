package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepTrialRequest;
import dev.transferlab.worker.jobs.TrialSegments;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Trains the sweep trials this worker takes from the sweep-trials topic, whoever runs their sweep. The channel has
 * {@code transferlab.sweeps.parallelism} consumers (its concurrency), each handing over its next trial only when this
 * one's stage completes, so that many trials train at once, on plain threads of their own (a trial may train for
 * minutes, too long for a Vert.x worker). A record that is not a trial of its sweep's plan is dead-lettered; a trial
 * is acknowledged once recorded, and one released because this worker shuts down is left for the next worker.
 */
@ApplicationScoped
public class SweepTrialConsumer {
    private static final Logger LOG = Logger.getLogger(SweepTrialConsumer.class);

    @Inject
    TrialSegments segments;

    @Inject
    KafkaEventSink events;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> new Thread(r, "sweep-trial"));

    @Incoming("sweep-trials")
    public CompletionStage<Void> onTrial(Message<String> message) {
        SweepTrialRequest trial;
        try {
            trial = Messages.fromJson(message.getPayload(), SweepTrialRequest.class);
            if (trial.sweep() == null) {
                throw new IllegalArgumentException("a trial command needs its sweep");
            }
            Ids.require("jobId", trial.sweep().jobId());
            Ids.require("tenant", trial.sweep().tenant());
            TrialSegments.check(trial);
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        return CompletableFuture.supplyAsync(() -> {
            boolean settled = segments.run(trial, events);
            LOG.debugf("sweep %s trial %d rung %d: %s", trial.sweep().jobId(), trial.trial(), trial.rung(),
                    settled ? "recorded" : "released");
            return settled;
        }, threads).thenCompose(settled -> settled ? message.ack() : CompletableFuture.completedFuture(null));
    }

    @PreDestroy
    void stop() throws InterruptedException {
        // Draining has begun: a trial stops at its next batch, unrecorded, and goes to another worker.
        threads.shutdown();
        if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("sweep trials still training 30 s after shutdown began");
        }
    }
}
