package dev.transferlab.stack.bench;

import java.util.List;
import java.util.Locale;

/**
 * One record no consumer should act on, as it is put on a topic, and what its dead-letter reason must mention (any
 * one of {@code reasonMentions}, ignoring case; none given: any reason a person can act on).
 */
public record HostileRecord(String kind, String topic, String key, byte[] value, List<String> reasonMentions) {
    /** Reasons that name an implementation, not a problem with the record. */
    private static final List<String> UNACTIONABLE = List.of("java.lang.", "NullPointerException",
            "schema version -1");

    /** What is wrong with this dead-letter reason (null: the record was not dead-lettered), or null if it is fine. */
    public String mismatch(String reason) {
        if (reason == null) {
            return "not dead-lettered";
        }
        if (reason.isBlank()) {
            return "dead-lettered without a reason";
        }
        for (String bad : UNACTIONABLE) {
            if (reason.contains(bad)) {
                return "dead-lettered with a reason a person cannot act on: " + reason;
            }
        }
        String lower = reason.toLowerCase(Locale.ROOT);
        if (!reasonMentions.isEmpty() && reasonMentions.stream()
                .noneMatch(m -> lower.contains(m.toLowerCase(Locale.ROOT)))) {
            return "the reason '" + reason + "' mentions none of " + reasonMentions;
        }
        return null;
    }

    @Override
    public String toString() {
        return topic + ": " + kind;
    }
}
