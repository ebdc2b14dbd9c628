package dev.transferlab.common.dataset;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Any set of relative paths is laid out without an exception: each one is placed or skipped with a reason, never
 * both and never lost, and a layout with images has a class for each of them.
 */
class ImageFolderLayoutFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyPathsArePlacedOrSkipped(FuzzedDataProvider data) {
        Set<String> paths = new HashSet<>();
        int count = data.consumeInt(0, 40);
        for (int i = 0; i < count && data.remainingBytes() > 0; i++) {
            String path = data.consumeString(60);
            if (!ImageFolderLayout.isHidden(path)) {
                paths.add(path);
            }
        }
        ImageFolderLayout.Resolved layout = ImageFolderLayout.resolve(paths);
        layout.problem();
        layout.counts();
        layout.warnings(data.consumeInt(0, 20));
        List<String> accounted = new ArrayList<>();
        layout.placed().keySet().forEach(p -> accounted.add(layout.root() + p));
        layout.skipped().forEach(s -> accounted.add(s.path()));
        if (accounted.size() != paths.size() || !paths.containsAll(accounted)) {
            throw new AssertionError("paths " + paths + " came out as " + accounted);
        }
        layout.placed().values().forEach(p -> {
            if (!layout.classes().contains(p.className())) {
                throw new AssertionError("placed in unknown class " + p);
            }
        });
    }
}
