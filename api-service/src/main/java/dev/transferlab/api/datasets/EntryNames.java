package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns an archive entry's name into a safe relative path, or refuses the archive. An entry that would land outside
 * the dataset (zip-slip: {@code ../x}) or names an absolute path is never written anywhere.
 */
final class EntryNames {
    // S3 keys are at most 1024 bytes, and the dataset's prefix needs room too.
    static final int MAX_PATH_CHARS = 800;

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
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        String safe = String.join("/", segments);
        if (safe.length() > MAX_PATH_CHARS) {
            throw refused(name.substring(0, 60) + "…", "is longer than " + MAX_PATH_CHARS + " characters");
        }
        return safe;
    }

    static ProblemException refused(String name, String why) {
        return new ProblemException(422, "Unprocessable Content", "the archive entry '" + name + "' " + why
                + "; the upload was refused and nothing of it was kept");
    }
}
