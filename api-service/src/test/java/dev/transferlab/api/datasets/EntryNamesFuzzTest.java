package dev.transferlab.api.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.api.http.ProblemException;

import java.nio.charset.StandardCharsets;

/**
 * Any entry name gives a safe relative path or a 422 naming it: never an exception of another kind, and never a path
 * that leaves the dataset or that the store's file system cannot hold.
 */
class EntryNamesFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyNameIsMadeSafeOrRefused(byte[] bytes) {
        String name = new String(bytes, StandardCharsets.UTF_8);
        String path;
        try {
            path = EntryNames.safePath(name);
        } catch (ProblemException refused) {
            if (refused.problem().status() != 422) {
                throw new AssertionError("refused with " + refused.problem().status());
            }
            return;
        }
        if (path.startsWith("/") || path.endsWith("/") || path.contains("//") || path.indexOf('\0') >= 0
                || path.indexOf('\\') >= 0 || path.getBytes(StandardCharsets.UTF_8).length > EntryNames.MAX_PATH_BYTES) {
            throw new AssertionError("unsafe path '" + path + "' from '" + name + "'");
        }
        for (String segment : path.split("/")) {
            if (!path.isEmpty() && (segment.equals("..") || segment.equals(".") || segment.isEmpty()
                    || segment.getBytes(StandardCharsets.UTF_8).length > EntryNames.MAX_SEGMENT_BYTES)) {
                throw new AssertionError("unsafe segment '" + segment + "' in '" + path + "'");
            }
        }
    }
}
