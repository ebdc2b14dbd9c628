package dev.transferlab.api.datasets;

import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The file paths an archive has named so far. A path is one file or a folder, never both and never twice: an object
 * store takes {@code a/b} and {@code a/b/c.jpg} side by side, but a file system (S3Proxy's filesystem store, a job
 * extracting the dataset) cannot, and would fail the write instead of the upload being refused. Sorted, so that the
 * files under a folder are one range and the check costs no more memory than the paths themselves.
 */
final class ClaimedPaths {
    private final NavigableSet<String> files = new TreeSet<>();

    /** @param name the entry's name as the archive gives it, for the refusal */
    void claim(String path, String name) {
        if (!files.add(path)) {
            throw EntryNames.refused(name, "appears twice");
        }
        String folder = path + "/";
        String inside = files.ceiling(folder);
        if (inside != null && inside.startsWith(folder)) {
            throw EntryNames.refused(name, "is a file, but '" + inside + "' makes it a folder");
        }
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            String parent = path.substring(0, slash);
            if (files.contains(parent)) {
                throw EntryNames.refused(name, "is inside '" + parent + "', which is a file");
            }
        }
    }
}
