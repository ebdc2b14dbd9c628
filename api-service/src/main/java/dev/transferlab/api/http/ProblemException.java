package dev.transferlab.api.http;

import jakarta.ws.rs.core.Response;

/** A domain failure that maps to one HTTP status; thrown by services, rendered by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;

    public ProblemException(Response.Status status, String detail) {
        this(status.getStatusCode(), status.getReasonPhrase(), detail);
    }

    public ProblemException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public Problem problem() {
        return Problem.of(status, title, getMessage(), null);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(Response.Status.NOT_FOUND, "no " + what + " with id '" + id + "'");
    }
}
