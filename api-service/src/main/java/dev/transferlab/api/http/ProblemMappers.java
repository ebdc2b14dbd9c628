package dev.transferlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.transferlab.common.messages.InvalidFieldException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error the REST layer sees leaves this API as problem+json, a bad request body names the field at fault, and
 * every 5xx is logged here once, with its cause. (Errors raised before the REST layer runs: {@link HttpFailures}.)
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Problem problem = e.problem();
        if (problem.status() >= 500) {
            LOG.warnf(e.getCause(), "%d %s", problem.status(), problem.detail());
        }
        return e.retryAfter().map(after -> Response.fromResponse(problem.toResponse())
                .header(HttpHeaders.RETRY_AFTER, Math.max(1, after.toSeconds())).build())
                .orElseGet(problem::toResponse);
    }

    @ServerExceptionMapper({UnauthorizedException.class, ForbiddenException.class,
            AuthenticationFailedException.class})
    public Response security(RuntimeException e) {
        return AuthProblems.toResponse(AuthProblems.of(e).orElseThrow());
    }

    @ServerExceptionMapper
    public Response invalidField(InvalidFieldException e) {
        return Problem.of(400, "Bad Request", e.getMessage(), List.of(new Problem.FieldError(e.field(), e.problem())))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> f.field() + " " + f.message()).collect(Collectors.joining("; "));
        return Problem.of(400, "Bad Request", detail, errors).toResponse();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return JsonProblems.of(e).toResponse();
    }

    /** Quarkus maps this subtype itself (with an empty body) unless the application does. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    /** What the REST layer raises itself: 404 no such path, 405, 406, 415, and a body it cannot read. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e);
        }
        return Problem.of(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), null).toResponse();
    }

    /**
     * The resources wrap their own I/O in {@link java.io.UncheckedIOException}, so a checked one here was raised while
     * the REST layer read the request, such as a multipart body that does not parse: the client's to fix.
     */
    @ServerExceptionMapper
    public Response unreadableBody(IOException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "the request body could not be read: " + e.getMessage())
                .toResponse();
    }

    /** Anything else is a bug or an outage: logged with its cause, answered without internals. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected error", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "internal error; see the api-service log")
                .toResponse();
    }

    /** "submit.request.epochs" becomes "epochs": clients know the body, not our method names. */
    private static String fieldName(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        int start = 0;
        while (start < parts.length - 1 && (parts[start].equals("submit") || parts[start].equals("request")
                || parts[start].startsWith("arg"))) {
            start++;
        }
        return String.join(".", java.util.Arrays.copyOfRange(parts, start, parts.length))
                .replace(".<list element>", "");
    }
}
