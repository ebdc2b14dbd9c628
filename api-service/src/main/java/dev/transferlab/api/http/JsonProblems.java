package dev.transferlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Says in a client's terms what Jackson refused: the field by its JSON path ({@code backbone.blockConfig[0]}) and
 * what it must be, never a Java type or a parser's internals.
 */
final class JsonProblems {
    private JsonProblems() {
    }

    static Problem of(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m ? path(m) : "";
        if (field.isEmpty()) {
            String detail = e instanceof JsonMappingException ? "the body must be a JSON object"
                    : "malformed JSON: " + e.getOriginalMessage();
            return Problem.of(400, "Bad Request", detail, null);
        }
        String message = message(e);
        return Problem.of(400, "Bad Request", field + " " + message, List.of(new Problem.FieldError(field, message)));
    }

    private static String message(JsonProcessingException e) {
        if (e instanceof PropertyBindingException unknown) {
            Collection<Object> known = unknown.getKnownPropertyIds();
            return "is not a field here" + (known == null || known.isEmpty() ? ""
                    : "; the fields are " + new TreeSet<>(known.stream().map(String::valueOf).toList()));
        }
        if (e instanceof InvalidNullException) {
            return "must not be null";
        }
        if (e.getCause() instanceof InputCoercionException) {
            return "is too large a number";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "must be " + expected(m.getTargetType());
        }
        return "is not valid here";
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number (a JSON number without a fraction or quotes)";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a JSON number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a JSON string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        return "a value of another kind";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
