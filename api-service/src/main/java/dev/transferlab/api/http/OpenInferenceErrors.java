package dev.transferlab.api.http;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Errors under {@code /v2} (the Open Inference Protocol) leave in that protocol's shape, {@code {"error": "..."}},
 * with the same status the rest of the API gives: v2 clients parse that, not problem+json. The problems are made
 * as everywhere else ({@link ProblemMappers}, {@link HttpFailures}) and only rendered differently.
 */
public class OpenInferenceErrors {

    /** The protocol's error body. */
    public record Body(String error) {
    }

    static boolean applies(String path) {
        return path != null && (path.equals("/v2") || path.startsWith("/v2/"));
    }

    @ServerResponseFilter
    public void render(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof Problem problem && applies(request.getUriInfo().getPath())) {
            response.setEntity(new Body(problem.detail()), null, MediaType.APPLICATION_JSON_TYPE);
        }
    }
}
