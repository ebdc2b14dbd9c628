package dev.transferlab.api.http;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.util.Optional;

/**
 * The 401 and 403 answers, the same whether Quarkus refuses a token before the REST layer runs ({@link HttpFailures})
 * or a role check refuses it inside ({@link ProblemMappers}).
 */
final class AuthProblems {
    static final String CHALLENGE = "Bearer realm=\"transferlab\"";
    private static final String UNAUTHORIZED = "a valid bearer token is required (missing, expired, or not issued"
            + " for this API by its OpenID provider): send 'Authorization: Bearer <access token>'";
    private static final String FORBIDDEN = "your roles do not allow this: reading needs viewer, changing needs"
            + " trainer";

    private AuthProblems() {
    }

    /** The problem for a security failure, or empty when the throwable is none. */
    static Optional<Problem> of(Throwable failure) {
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException) {
            return Optional.of(Problem.of(Response.Status.UNAUTHORIZED, UNAUTHORIZED));
        }
        if (failure instanceof ForbiddenException) {
            return Optional.of(Problem.of(Response.Status.FORBIDDEN, FORBIDDEN));
        }
        return Optional.empty();
    }

    static Response toResponse(Problem problem) {
        Response response = problem.toResponse();
        return problem.status() == 401
                ? Response.fromResponse(response).header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build() : response;
    }
}
