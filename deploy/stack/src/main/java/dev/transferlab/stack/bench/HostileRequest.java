package dev.transferlab.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.stack.ApiClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One hostile HTTP request and the answer the API documents for it: a status, as problem+json with a detail, which
 * mentions {@code detailMentions} (when given) and whose {@code errors[].field} names {@code field} (when given: that
 * field or one inside it, so {@code backbone} is named by {@code backbone.growthRate}).
 */
public record HostileRequest(String kind, int status, String detailMentions, String field,
                             Function<ApiClient, ApiClient.Answer> send) {
    public static final String PROBLEM_JSON = "application/problem+json";

    public ApiClient.Answer sendTo(ApiClient api) {
        return send.apply(api);
    }

    /** What is not as documented about this answer, or null when it is exactly as documented. */
    public String mismatch(ApiClient.Answer answer) {
        String detail = answer.body().path("detail").asText("");
        if (answer.status() != status) {
            return "answered " + answer.status() + ", documented " + status + ": " + abbreviated(answer.body());
        }
        if (!answer.contentType().startsWith(PROBLEM_JSON)) {
            return "answered " + status + " as '" + answer.contentType() + "', not " + PROBLEM_JSON + ": "
                    + abbreviated(answer.body());
        }
        if (detail.isBlank()) {
            return "answered " + status + " with no detail: " + abbreviated(answer.body());
        }
        if (detailMentions != null && !detail.contains(detailMentions)) {
            return "the detail '" + abbreviated(detail) + "' does not mention '" + detailMentions + "'";
        }
        if (field != null) {
            List<String> fields = new ArrayList<>();
            answer.body().path("errors").forEach(e -> fields.add(e.path("field").asText()));
            if (fields.stream().noneMatch(f -> f.equals(field) || f.startsWith(field + ".")
                    || f.startsWith(field + "["))) {
                return "errors[].field is " + fields + ", not '" + field + "': " + abbreviated(detail);
            }
        }
        return null;
    }

    private static String abbreviated(Object text) {
        String s = text instanceof JsonNode node && node.isTextual() ? node.asText() : String.valueOf(text);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    @Override
    public String toString() {
        return kind;
    }
}
