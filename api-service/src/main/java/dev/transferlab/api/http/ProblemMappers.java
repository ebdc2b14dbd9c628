package dev.transferlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Every error leaves this API as problem+json, and a bad request body names the field at fault. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.problem().toResponse();
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
        String field = e instanceof JsonMappingException m ? fieldPath(m) : "";
        String detail = field.isEmpty()
                ? "malformed JSON: " + e.getOriginalMessage()
                : "field '" + field + "' is not valid: " + e.getOriginalMessage();
        List<Problem.FieldError> errors = field.isEmpty() ? null : List.of(new Problem.FieldError(field,
                e.getOriginalMessage()));
        return Problem.of(400, "Bad Request", detail, errors).toResponse();
    }

    /** Quarkus maps this subtype itself (with an empty body) unless the application does. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response r = e.getResponse();
        Response.StatusType status = r.getStatusInfo();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json);
        }
        return Problem.of(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), null).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
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

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
