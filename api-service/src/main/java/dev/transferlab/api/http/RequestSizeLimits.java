package dev.transferlab.api.http;

import dev.transferlab.api.datasets.UploadLimits;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * One body limit per kind of request: a dataset archive may be gigabytes, while a JSON command or an image for a
 * prediction is small and read into memory. Quarkus has a single global limit (set high, for uploads); this narrows
 * it per request, with a problem+json 413 where the size is declared up front.
 */
@ApplicationScoped
public class RequestSizeLimits {

    @Inject
    HttpSettings settings;

    @Inject
    UploadLimits uploads;

    void install(@Observes Router router) {
        // Right after Quarkus's own limit handler, which records its global limit for bodies of unknown length.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        boolean upload = isDatasetUpload(context);
        long limit = upload ? uploads.maxUploadBytes() : settings.maxBodySize();
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parse(declared) > limit) {
            refuse(context, upload ? "the upload is " + declared + " bytes; a dataset archive may have at most "
                    + limit : "the request body is " + declared + " bytes; this endpoint accepts at most " + limit);
            return;
        }
        if (declared == null && !upload) {
            // Read as it arrives and refused past the limit; an upload counts its own bytes (DatasetUploads). Vert.x's
            // body handler fails the request with 413, which HttpFailures answers as problem+json (the REST layer's
            // own limit answers with an empty body); the REST layer then reads the body it buffered. A multipart
            // body is left to the REST layer's form parser, under the same limit.
            if (!context.request().headers().contains(HttpHeaders.TRANSFER_ENCODING) || isMultipart(context)) {
                context.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limit);
            } else {
                if ("100-continue".equalsIgnoreCase(context.request().getHeader(HttpHeaders.EXPECT))) {
                    context.response().writeContinue(); // the body handler reads at once and never says so itself
                }
                BodyHandler.create(false).setBodyLimit(limit).handle(context);
                return;
            }
        }
        // A client that sent "Expect: 100-continue" (curl does for large bodies) is told to go on by the REST layer
        // once it reads the body, so a body refused here is never sent.
        context.next();
    }

    private static boolean isMultipart(RoutingContext context) {
        String type = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
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
        // The client may still be sending: close rather than read gigabytes only to discard them.
        context.response().putHeader(HttpHeaders.CONNECTION, "close");
        HttpFailures.send(context, Problem.of(413, "Content Too Large", detail, null));
    }
}
