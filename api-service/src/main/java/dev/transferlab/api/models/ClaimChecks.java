package dev.transferlab.api.models;

import dev.transferlab.common.storage.ObjectLocation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.function.Function;

/**
 * Images over {@code transferlab.inference.claim-check-threshold} do not travel in Kafka: each is written to the
 * platform bucket ({@link StorageLayout#inferencePayload}) and only its key goes in the request, so inference
 * messages stay under the producer's {@code max.request.size}. The payload is deleted once the reply is in, the wait
 * timed out or the caller went away. A replica that dies mid-request (kill -9, a lost node) leaves its payloads
 * behind under {@code inference-payloads/<tenant>/}: nothing sweeps them, so an operator who cares about that space
 * gives the bucket a lifecycle rule expiring that prefix after a day (requests are worthless after their timeout).
 */
@ApplicationScoped
class ClaimChecks {
    private static final Logger LOG = Logger.getLogger(ClaimChecks.class);
    /** The request's JSON fields and the request-reply headers, beside its base64 image. */
    private static final int ENVELOPE_BYTES = 8 * 1024;

    // Not final: the client proxy of this application-scoped bean needs a constructor that sets none of them.
    private ObjectStore store;
    private long threshold;
    private long maxRequestSize;

    @Inject
    ClaimChecks(ObjectStore store, InferenceSettings settings,
                @ConfigProperty(name = "mp.messaging.outgoing.inference-requests.max.request.size")
                long maxRequestSize) {
        this(store, settings.claimCheckThreshold(), maxRequestSize);
    }

    ClaimChecks(ObjectStore store, long threshold, long maxRequestSize) {
        this.store = store;
        this.threshold = threshold;
        this.maxRequestSize = maxRequestSize;
    }

    /** An inline image at the threshold must fit in one request, or predictions of that size would all fail. */
    void requireConsistentLimits(@Observes StartupEvent started) {
        long largestInline = 4 * ((threshold + 2) / 3) + ENVELOPE_BYTES;
        if (largestInline > maxRequestSize) {
            throw new IllegalStateException("transferlab.inference.claim-check-threshold (" + threshold
                    + " bytes) lets inference requests of " + largestInline + " bytes through, more than "
                    + "mp.messaging.outgoing.inference-requests.max.request.size (" + maxRequestSize + ")");
        }
    }

    boolean needed(byte[] image) {
        return image.length > threshold;
    }

    /**
     * {@code request} asked with the key of the image, which is in storage while it runs and deleted after, however
     * it ends.
     */
    <T> Uni<T> around(String tenant, String requestId, byte[] image, Function<String, Uni<T>> request) {
        String key = StorageLayout.inferencePayload(tenant, requestId);
        ObjectLocation location = store.inDefaultBucket(key);
        return Uni.createFrom().item(() -> {
                    store.put(location, image, "application/octet-stream");
                    return key;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(request::apply)
                // The reply arrives on the reply consumer's thread, which must not wait for storage.
                .onTermination().invoke(() -> Infrastructure.getDefaultWorkerPool().execute(() -> delete(location)));
    }

    private void delete(ObjectLocation location) {
        try {
            store.delete(location);
        } catch (RuntimeException e) {
            // The store's client has retried already; the payload is left as a dead replica's would be.
            LOG.warnf(e, "could not delete the claim-checked image %s", location);
        }
    }
}
