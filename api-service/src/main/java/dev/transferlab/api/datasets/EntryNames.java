package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an archive entry's name into a safe relative path, or refuses the archive. An entry that would land outside
 * the dataset (zip-slip: {@code ../x}) or names an absolute path is never written anywhere.
 */
final class EntryNames {
    // S3 keys are at most 1024 bytes, and the dataset's prefix needs room too.
    static final int MAX_PATH_BYTES = 800;
    // What file systems (and so S3Proxy's filesystem store) allow for one file or folder name.
    static final int MAX_SEGMENT_BYTES = 255;

    private EntryNames() {
    }

    /** The normalised path, '/'-separated, without "." segments; empty for the archive's root folder. */
    static String safePath(String name) {
        // Zips made on Windows sometimes use backslashes, and "..\\" is the classic zip-slip.
        String path = name.replace('\\', '/');
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw refused(name, "is an absolute path");
        }
        if (path.indexOf('\0') >= 0) {
            throw refused(name, "contains a NUL character");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw refused(name, "points outside the archive ('..')");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw refused(shortened(name), "has a file or folder name of "
                        + segment.getBytes(StandardCharsets.UTF_8).length + " bytes; a file or folder name may have "
                        + "at most " + MAX_SEGMENT_BYTES + " bytes");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        String safe = String.join("/", segments);
        if (safe.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw refused(shortened(name), "is longer than " + MAX_PATH_BYTES + " bytes");
        }
        return safe;
    }

    private static String shortened(String name) {
        return name.length() > 60 ? name.substring(0, 60) + "…" : name;
    }

    static ProblemException refused(String name, String why) {
        return new ProblemException(422, "Unprocessable Content", "the archive entry '" + name + "' " + why
                + "; the upload was refused and nothing of it was kept");
    }
}
