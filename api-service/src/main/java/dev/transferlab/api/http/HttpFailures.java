package dev.transferlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.transferlab.common.messages.Messages;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Errors raised in Vert.x before (or outside) the REST layer, such as a body over its limit or a multipart body that
 * cannot be parsed, get the same problem+json as the rest of the API ({@link ProblemMappers}) instead of Quarkus's
 * text/plain or empty answers, and a 5xx is logged once, with its cause.
 */
@ApplicationScoped
public class HttpFailures {
    private static final Logger LOG = Logger.getLogger(HttpFailures.class);

    void install(@Observes Router router) {
        // Vert.x offers a failure to the failure handlers from the first route on: this one is asked first.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::render);
    }

    private void render(RoutingContext context) {
        if (context.response().ended() || context.response().closed()) {
            return;
        }
        java.util.Optional<Problem> denied = AuthProblems.of(context.failure());
        if (denied.isPresent()) {
            if (denied.get().status() == 401) {
                context.response().putHeader(jakarta.ws.rs.core.HttpHeaders.WWW_AUTHENTICATE, AuthProblems.CHALLENGE);
            }
            send(context, denied.get());
            return;
        }
        int status = context.statusCode() > 0 ? context.statusCode() : 500;
        String detail;
        if (status >= 500) {
            LOG.errorf(context.failure(), "%s %s failed", context.request().method(), context.normalizedPath());
            detail = "internal error; see the api-service log";
        } else {
            detail = context.failure() != null && context.failure().getMessage() != null
                    ? context.failure().getMessage() : HttpResponseStatus.valueOf(status).reasonPhrase();
        }
        send(context, Problem.of(status, HttpResponseStatus.valueOf(status).reasonPhrase(), detail, null));
    }

    static void send(RoutingContext context, Problem problem) {
        boolean v2 = OpenInferenceErrors.applies(context.normalizedPath());
        String body;
        try {
            body = Messages.mapper().writeValueAsString(v2 ? new OpenInferenceErrors.Body(problem.detail()) : problem);
        } catch (JsonProcessingException e) {
            body = "";
        }
        if (context.response().headWritten()) {
            context.response().end();
            return;
        }
        context.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, v2 ? "application/json" : Problem.MEDIA_TYPE).end(body);
    }
}
