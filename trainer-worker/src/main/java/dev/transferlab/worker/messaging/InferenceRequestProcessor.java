package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.inference.ModelPredictor;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The replier side of Kafka request-reply: the request's reply-topic and correlation headers travel with the result
 * (each answer is the request's message with a new payload, so its metadata goes along), so the answer reaches the
 * api-service replica that asked.
 * <p>
 * Requests run on the {@link InferencePool}, up to {@code transferlab.inference.threads} at once and
 * {@code transferlab.inference.queue-size} waiting; the channel reads no further meanwhile. Each is answered by its
 * deadline (the api's, capped by {@code transferlab.inference.timeout}), so a slow or stuck one delays no other
 * beyond that; a record that is not a request is dead-lettered with the reason.
 */
@ApplicationScoped
public class InferenceRequestProcessor {

    @Inject
    ModelPredictor predictor;

    @Inject
    InferencePool pool;

    @Inject
    WorkerMetrics metrics;

    @Inject
    ObjectStore store;

    @Inject
    InferenceConfig config;

    @Incoming("inference-requests")
    @Outgoing("inference-results")
    public Multi<Message<String>> onRequests(Multi<Message<String>> requests) {
        return requests.onItem().transformToUni(this::answer).merge(config.threads() + config.queueSize());
    }

    /**
     * The prediction, for a claim-checked request once its image is read from storage (on the inference thread). One
     * whose image is gone (the api-service deletes it when it stops waiting) is answered with why, since the asker
     * may still be waiting; a storage failure is answered as any failure of the prediction.
     */
    private CompletableFuture<InferenceResult> predict(InferenceRequest request) {
        if (request.imageKey() == null) {
            return predictor.predict(request);
        }
        return store.get(store.inDefaultBucket(request.imageKey()))
                .map(image -> predictor.predict(request.withImage(image)))
                .orElseGet(() -> CompletableFuture.completedFuture(InferenceResult.failure(request,
                        InferenceResult.ErrorCode.INTERNAL, "the image of " + request.requestId()
                                + " is no longer in object storage; the api-service had stopped waiting")));
    }

    private Uni<Message<String>> answer(Message<String> message) {
        long start = System.nanoTime();
        InferenceRequest request;
        try {
            request = CommandChecks.valid(Messages.fromJson(message.getPayload(), InferenceRequest.class));
        } catch (RuntimeException e) {
            // Nothing to answer: the record goes to the dead-letter topic, and the stream emits nothing for it.
            return Uni.createFrom().completionStage(message.nack(e)).replaceWith((Message<String>) null);
        }
        Instant latest = Instant.now().plus(config.timeout());
        Instant deadline = request.deadline() != null && request.deadline().isBefore(latest)
                ? request.deadline() : latest;
        return Uni.createFrom().completionStage(pool.run(request, deadline, this::predict))
                .map(result -> {
                    metrics.inference(result, start);
                    return message.withPayload(Messages.toJson(result));
                });
    }
}
