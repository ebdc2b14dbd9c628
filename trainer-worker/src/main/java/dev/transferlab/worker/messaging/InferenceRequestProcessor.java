package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.worker.inference.ModelPredictor;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * The replier side of Kafka request-reply: the request's reply-topic and correlation headers travel with the result
 * (the connector propagates them), so the answer reaches the api-service replica that asked.
 */
@ApplicationScoped
public class InferenceRequestProcessor {

    @Inject
    ModelPredictor predictor;

    @Inject
    WorkerMetrics metrics;

    @Incoming("inference-requests")
    @Outgoing("inference-results")
    @Blocking(value = "inference", ordered = false)
    public String onRequest(String json) {
        long start = System.nanoTime();
        InferenceRequest request = CommandChecks.valid(Messages.fromJson(json, InferenceRequest.class));
        InferenceResult result = predictor.predict(request);
        metrics.inference(result, start);
        return Messages.toJson(result);
    }
}
