package dev.transferlab.worker.ml.zoo;

import dev.transferlab.worker.ml.StopCheck;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed access to a Criteria's arguments, which arrive as objects or, from configuration, as strings. */
record Arguments(String artifactId, Map<String, Object> values) {

    Optional<Path> path(String name) {
        Object value = values.get(name);
        return value == null ? Optional.empty() : Optional.of(value instanceof Path path ? path : Path.of(
                value.toString()));
    }

    Optional<Long> number(String name) {
        Object value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw invalid(name, value);
        }
    }

    StopCheck stopCheck(String name) {
        Object value = values.get(name);
        if (value == null) {
            return StopCheck.NEVER;
        }
        if (value instanceof StopCheck check) {
            return check;
        }
        throw new IllegalArgumentException("backbone " + artifactId + ": argument " + name + " must be a "
                + StopCheck.class.getName() + ", not " + value.getClass().getName());
    }

    int integer(String name, int fallback) {
        return number(name).map(Math::toIntExact).orElse(fallback);
    }

    /** A list of integers, given as a List or as comma-separated text such as "6,12,24,16". */
    List<Integer> integers(String name, List<Integer> fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        List<Integer> result = new ArrayList<>();
        try {
            for (Object item : value instanceof List<?> list ? list : List.of(value.toString().split(","))) {
                result.add(item instanceof Number n ? n.intValue() : Integer.parseInt(item.toString().trim()));
            }
        } catch (NumberFormatException e) {
            throw invalid(name, value);
        }
        return result;
    }

    private IllegalArgumentException invalid(String name, Object value) {
        return new IllegalArgumentException("backbone " + artifactId + ": argument " + name + " = '" + value
                + "' is not a number");
    }
}
