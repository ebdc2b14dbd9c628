package dev.transferlab.api.models;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.infra.ApiMetrics;
import io.micrometer.core.instrument.Timer;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReplyTimeoutException;

/** A prediction is a request-reply round trip through Kafka to whichever worker picks it up. */
@ApplicationScoped
public class Predictions {

    @Inject
    @Channel("inference-requests")
    KafkaRequestReply<String, String> requestReply;

    @Inject
    Models models;

    @Inject
    ApiMetrics metrics;

    @Inject
    PredictionRates rates;

    @Inject
    ClaimChecks claimChecks;

    @Inject
    InferenceSettings settings;

    @ConfigProperty(name = "mp.messaging.outgoing.inference-requests.reply.timeout")
    long replyTimeoutMillis;

    public Uni<ModelResource.PredictionResponse> predict(String tenant, String modelId, byte[] image) {
        rates.acquire(tenant);
        models.manifest(tenant, modelId);
        return ask(tenant, modelId, image);
    }

    /**
     * Each image is its own request to the workers, all sent at once, so that a worker's batching can group them;
     * each counts against the tenant's prediction rate, and one that fails (a corrupt image, the rate used up)
     * fails alone. An unknown model, or more images than allowed, fails the whole request.
     */
    public Uni<ImageResult.Many> predictEach(String tenant, String modelId, List<byte[]> images) {
        if (images.size() > settings.maxImagesPerRequest()) {
            throw new ProblemException(413, "Content Too Large", "the request has " + images.size()
                    + " images; the limit is " + settings.maxImagesPerRequest()
                    + " (transferlab.inference.max-images-per-request)");
        }
        models.manifest(tenant, modelId);
        List<Uni<ImageResult>> each = images.stream().map(image -> Uni.createFrom()
                .deferred(() -> {
                    rates.acquire(tenant);
                    return ask(tenant, modelId, image);
                })
                .map(ImageResult::of)
                .onFailure(ProblemException.class)
                .recoverWithItem(e -> ImageResult.of(((ProblemException) e).problem())))
                .toList();
        return Uni.join().all(each).andFailFast().map(ImageResult.Many::new);
    }

    private Uni<ModelResource.PredictionResponse> ask(String tenant, String modelId, byte[] image) {
        ImageCheck.requireImage(image, settings.maxImageBytes());
        String requestId = "inf-" + UUID.randomUUID();
        // The worker stops when this replica stops waiting: a prediction nobody reads would only hold up others.
        Instant deadline = Instant.now().plusMillis(replyTimeoutMillis);
        if (!claimChecks.needed(image)) {
            return send(InferenceRequest.of(requestId, tenant, modelId, image, deadline));
        }
        return claimChecks.around(tenant, requestId, image,
                key -> send(InferenceRequest.byReference(requestId, tenant, modelId, key, deadline)));
    }

    private Uni<ModelResource.PredictionResponse> send(InferenceRequest request) {
        Timer.Sample sample = metrics.startPrediction();
        return requestReply.request(Messages.toJson(request))
                .onFailure(KafkaRequestReplyTimeoutException.class).transform(e -> new ProblemException(504, "Gateway Timeout",
                        "no trainer-worker answered in time; is one running?"))
                .map(json -> toResponse(Messages.fromJson(json, InferenceResult.class)))
                .onItemOrFailure().invoke((response, failure) -> metrics.predictionEnded(sample, failure));
    }

    private static ModelResource.PredictionResponse toResponse(InferenceResult result) {
        if (result.error() != null) {
            throw switch (result.error().code()) {
                case INVALID_IMAGE -> new ProblemException(422, "Unprocessable Content", result.error().detail());
                case IMAGE_TOO_LARGE -> new ProblemException(413, "Content Too Large", result.error().detail());
                case MODEL_NOT_FOUND -> ProblemException.notFound("model", result.modelId());
                case INTERNAL -> new ProblemException(502, "Bad Gateway", "the worker failed: " + result.error().detail());
                case DEADLINE_EXCEEDED -> new ProblemException(504, "Gateway Timeout", result.error().detail());
                case OVERLOADED -> new ProblemException(503, "Service Unavailable", result.error().detail());
            };
        }
        InferenceResult.Prediction best = result.predictions().get(0);
        return new ModelResource.PredictionResponse(result.modelId(), best.className(), best.probability(),
                result.predictions());
    }
}
