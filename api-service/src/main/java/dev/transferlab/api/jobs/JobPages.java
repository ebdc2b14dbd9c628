package dev.transferlab.api.jobs;

import dev.transferlab.api.http.ProblemException;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

/**
 * Listing jobs page by page, newest first (then by id, descending). A page's {@code next} cursor names its last job;
 * {@code after=<cursor>} continues behind it by the index on (submitted_at, id), so a page costs the same however deep
 * it is and jobs submitted meanwhile neither repeat nor shift what follows. {@code offset} still works, counted from
 * the cursor (or the start).
 */
public final class JobPages {
    private JobPages() {
    }

    /** Where a page ended: its last job's submission time (as stored) and id. Opaque to clients. */
    public record Cursor(Instant submittedAt, String id) {
        public String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((submittedAt + "/" + id)
                    .getBytes(StandardCharsets.UTF_8));
        }

        /** Null for null; a 400 for anything that is not a cursor this service gave out. */
        public static Cursor decode(String text) {
            if (text == null) {
                return null;
            }
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int slash = plain.indexOf('/');
                return new Cursor(Instant.parse(plain.substring(0, slash)), plain.substring(slash + 1));
            } catch (IllegalArgumentException | DateTimeParseException | IndexOutOfBoundsException e) {
                throw ProblemException.badField(400, "Bad Request", "after",
                        "is not a cursor from a page's 'next'");
            }
        }
    }

    /** A tenant's jobs of one kind, in one state and on one dataset when those are given, after a cursor. */
    public record Query(String tenant, JobKind kind, JobState state, String dataset, Cursor after) {
        String where() {
            return "tenant = ? and kind = ?" + (state == null ? "" : " and state = ?")
                    + (dataset == null ? "" : " and dataset = ?");
        }

        String keyset() {
            return after == null ? "true" : "(submitted_at, id) < (?, ?)";
        }

        /** Binds {@link #where()}'s parameters from {@code first}, and {@link #keyset()}'s if asked; the next index. */
        int bind(PreparedStatement s, int first, boolean withAfter) throws SQLException {
            int n = first;
            s.setString(n++, tenant);
            s.setString(n++, kind.name());
            if (state != null) {
                s.setString(n++, state.wireName());
            }
            if (dataset != null) {
                s.setString(n++, dataset);
            }
            if (withAfter && after != null) {
                s.setTimestamp(n++, Timestamp.from(after.submittedAt()));
                s.setString(n++, after.id());
            }
            return n;
        }
    }

    /**
     * @param total all jobs the query matches, before the cursor too
     * @param next  the cursor after this page's last job; null on the last page
     */
    public record Page(List<JobView> items, long total, Cursor next) {
        public String nextCursor() {
            return next == null ? null : next.encode();
        }
    }
}
