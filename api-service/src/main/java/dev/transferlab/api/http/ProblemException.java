package dev.transferlab.api.http;

import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A domain failure that maps to one HTTP status; thrown by services, rendered by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Duration retryAfter;

    public ProblemException(Response.Status status, String detail) {
        this(status.getStatusCode(), status.getReasonPhrase(), detail);
    }

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    public ProblemException(int status, String title, String detail, List<Problem.FieldError> errors) {
        this(status, title, detail, errors, null);
    }

    private ProblemException(int status, String title, String detail, List<Problem.FieldError> errors,
                             Duration retryAfter) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors;
        this.retryAfter = retryAfter;
    }

    /** 429 with {@code Retry-After}: a quota of the tenant is used up, and is expected to free up after that long. */
    public static ProblemException quotaExceeded(String detail, Duration retryAfter) {
        return new ProblemException(429, "Too Many Requests", detail, null, retryAfter);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** A request body that is well-formed but wrong in one field, which the answer names. */
    public static ProblemException badField(int status, String title, String field, String message) {
        return new ProblemException(status, title, field + " " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    public Problem problem() {
        return Problem.of(status, title, getMessage(), errors);
    }

    /** A request body whose field is wrong in a way its own constraints cannot say, such as a combination. */
    public static ProblemException invalidField(String field, String message) {
        return badField(400, "Bad Request", field, message);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(Response.Status.NOT_FOUND, "no " + what + " with id '" + id + "'");
    }
}
