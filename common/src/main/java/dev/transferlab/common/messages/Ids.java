package dev.transferlab.common.messages;

import java.util.regex.Pattern;

/**
 * The one rule for tenants and ids (jobs, models, datasets, requests), wherever they arrive: HTTP paths and headers,
 * Kafka commands. They become object-storage keys and Kafka keys, so only lowercase ASCII letters, digits and '-' get
 * through, 1 to {@value #MAX_LENGTH} of them, starting with a letter or digit: no '/', '.', "..", upper case (two
 * spellings of one name) or look-alike characters.
 */
public final class Ids {
    public static final int MAX_LENGTH = 63;
    public static final String RULE = "1-" + MAX_LENGTH
            + " lowercase letters, digits or '-', starting with a letter or digit";
    /** The rule as one regular expression, for what checks values by expression (configuration validation). */
    public static final String REGEX = "[a-z0-9][a-z0-9-]{0," + (MAX_LENGTH - 1) + "}";
    private static final Pattern ALLOWED = Pattern.compile(REGEX);
    private static final int QUOTED_MAX = 80;

    private Ids() {
    }

    public static boolean isValid(String value) {
        return value != null && ALLOWED.matcher(value).matches();
    }

    /**
     * @return the value, when it follows the rule
     * @throws InvalidFieldException naming the field, when the value is missing or breaks the rule
     */
    public static String require(String field, String value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        if (!isValid(value)) {
            throw new InvalidFieldException(field, quoted(value) + " is not a valid id: it must be " + RULE);
        }
        return value;
    }

    /** The value as a person can read it in a log line: control characters escaped, and cut short. */
    static String quoted(String value) {
        StringBuilder out = new StringBuilder("'");
        value.codePoints().limit(QUOTED_MAX).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(value.codePointCount(0, value.length()) > QUOTED_MAX ? "…'" : "'").toString();
    }
}
