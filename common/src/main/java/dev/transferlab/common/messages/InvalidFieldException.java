package dev.transferlab.common.messages;

/**
 * A value that is well-formed but not allowed, named by its field's JSON path (such as {@code backbone.blockConfig[0]}
 * or {@code jobId}), so that an HTTP answer or a dead-letter reason can say which one a person has to change.
 */
public class InvalidFieldException extends IllegalArgumentException {
    private final String field;
    private final String problem;

    public InvalidFieldException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    /** What is wrong with the field, without its name: "must be at most 1000, got 5000". */
    public String problem() {
        return problem;
    }
}
