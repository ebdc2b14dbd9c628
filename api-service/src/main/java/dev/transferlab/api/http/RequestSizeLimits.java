package dev.transferlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.transferlab.api.datasets.UploadLimits;
import dev.transferlab.common.messages.Messages;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One body limit per kind of request: a dataset archive may be gigabytes, while a JSON command or an image for a
 * prediction is small and read into memory. Quarkus has a single global limit (set high, for uploads); this narrows
 * it per request, with a problem+json 413 where the size is declared up front.
 */
@ApplicationScoped
public class RequestSizeLimits {

    @ConfigProperty(name = "transferlab.http.max-body-size")
    MemorySize maxBody;

    @Inject
    UploadLimits uploads;

    void install(@Observes Router router) {
        // Right after Quarkus's own limit handler, which records its global limit for bodies of unknown length.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        boolean upload = isDatasetUpload(context);
        long limit = upload ? uploads.maxUploadBytes() : maxBody.asLongValue();
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parse(declared) > limit) {
            refuse(context, upload ? "the upload is " + declared + " bytes; a dataset archive may have at most "
                    + limit : "the request body is " + declared + " bytes; this endpoint accepts at most " + limit);
            return;
        }
        if (declared == null && !upload) {
            // Read as it arrives and refused past the limit; an upload counts its own bytes (DatasetUploads).
            context.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limit);
        }
        // A client that sent "Expect: 100-continue" (curl does for large bodies) is told to go on by the REST layer
        // once it reads the body, so a body refused here is never sent.
        context.next();
    }

    private static boolean isDatasetUpload(RoutingContext context) {
        String type = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return context.request().method() == HttpMethod.POST && "/v1/datasets".equals(context.normalizedPath())
                && (type == null || !type.startsWith("application/json"));
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void refuse(RoutingContext context, String detail) {
        String body;
        try {
            body = Messages.mapper().writeValueAsString(Problem.of(413, "Content Too Large", detail, null));
        } catch (JsonProcessingException e) {
            body = "";
        }
        // The client may still be sending: close rather than read gigabytes only to discard them.
        context.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(body);
    }
}
