package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The values a sweep tries for one hyperparameter: either a list of {@code values}, or a range from {@code min} to
 * {@code max} (both included), uniform or, with {@code log}, log-uniform (for learning rates and the like).
 * {@code integer} rounds a range's values to whole numbers (implied for a field whose base value is whole, such as
 * {@code hiddenUnits}). A grid takes {@code steps} evenly spaced points of a range; random draws take any point.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchDimension(List<Object> values, Double min, Double max, Boolean log, Boolean integer,
                              Integer steps) {

    public static SearchDimension of(Object... values) {
        return new SearchDimension(List.of(values), null, null, null, null, null);
    }

    public static SearchDimension range(double min, double max) {
        return new SearchDimension(null, min, max, null, null, null);
    }

    public static SearchDimension logRange(double min, double max) {
        return new SearchDimension(null, min, max, true, null, null);
    }

    public SearchDimension withSteps(int steps) {
        return new SearchDimension(values, min, max, log, integer, steps);
    }

    public SearchDimension asIntegers() {
        return new SearchDimension(values, min, max, log, true, steps);
    }

    public boolean isList() {
        return values != null;
    }

    public boolean isLog() {
        return Boolean.TRUE.equals(log);
    }

    public boolean isInteger() {
        return Boolean.TRUE.equals(integer);
    }
}
