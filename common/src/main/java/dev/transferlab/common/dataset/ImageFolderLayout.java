package dev.transferlab.common.dataset;

import dev.transferlab.common.messages.Hyperparameters;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads an ImageFolder tree from its file paths, as torchvision's ImageFolder would: {@code train/<class>/…} with
 * optional {@code val/} and {@code test/}, or just {@code <class>/…} (each job then holds out a stratified split).
 * Files may sit deeper inside a class folder. One folder wrapping everything (what zipping a folder gives) is looked
 * through. The API and the worker both place files with this class, so an upload's report and a job agree.
 */
public final class ImageFolderLayout {
    public static final String TRAIN = "train";
    public static final String VAL = "val";
    public static final String TEST = "test";
    private static final Set<String> SPLIT_NAMES = Set.of(TRAIN, VAL, TEST);

    private ImageFolderLayout() {
    }

    /** Operating-system litter, never data: dot files ({@code .DS_Store}, {@code ._x}), macOS's and Windows' extras. */
    public static boolean isHidden(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith(".") || segment.equals("__MACOSX") || segment.equals("Thumbs.db")) {
                return true;
            }
        }
        return false;
    }

    /** Where a used file goes: its split ({@link #TRAIN}, {@link #VAL}, {@link #TEST}) and class. */
    public record Placement(String split, String className) {
    }

    /**
     * @param root   the wrapping folder looked through ({@code "name/"}), or {@code ""}
     * @param placed each used file by its path under {@code root}
     */
    public record Resolved(String root, DatasetManifest.Layout layout, List<String> classes,
                           SortedMap<String, Placement> placed, List<SkippedFile> skipped) {

        /** Why no classifier can be trained on this, if so. */
        public Optional<String> problem() {
            if (placed.isEmpty()) {
                return Optional.of("no images found: a dataset needs train/<class>/<image> or <class>/<image> files");
            }
            if (classes.size() < 2) {
                return Optional.of("the dataset has only one class (" + classes.get(0)
                        + "); a classifier needs at least two");
            }
            return Optional.empty();
        }

        /** The first of {@code val/} and {@code test/} the dataset has, whose classes {@link #warnings} checks. */
        public Optional<String> validationSplit() {
            for (String split : List.of(VAL, TEST)) {
                if (placed.values().stream().anyMatch(p -> p.split().equals(split))) {
                    return Optional.of(split);
                }
            }
            return Optional.empty();
        }

        /**
         * Images per split and class; a {@link DatasetManifest.Layout#CLASSES} dataset shows the three-way split a job
         * makes with the default fractions.
         */
        public Map<String, Map<String, Integer>> counts() {
            Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
            for (Placement p : placed.values()) {
                counts.computeIfAbsent(p.split(), s -> zeros()).merge(p.className(), 1, Integer::sum);
            }
            if (layout == DatasetManifest.Layout.SPLITS) {
                Map<String, Map<String, Integer>> ordered = new LinkedHashMap<>();
                for (String split : List.of(TRAIN, VAL, TEST)) {
                    if (counts.containsKey(split)) {
                        ordered.put(split, counts.get(split));
                    }
                }
                return ordered;
            }
            Map<String, Integer> all = counts.getOrDefault(TRAIN, zeros());
            Map<String, Integer> train = zeros();
            Map<String, Integer> val = zeros();
            Map<String, Integer> test = zeros();
            all.forEach((c, n) -> {
                int tested = StratifiedCounts.heldOut(n, Hyperparameters.DEFAULT_TEST_FRACTION);
                int validated = StratifiedCounts.heldOutAfter(n, tested, Hyperparameters.DEFAULT_VALIDATION_FRACTION);
                train.put(c, n - tested - validated);
                val.put(c, validated);
                test.put(c, tested);
            });
            Map<String, Map<String, Integer>> split = new LinkedHashMap<>();
            split.put(TRAIN, train);
            split.put(VAL, val);
            split.put(TEST, test);
            return split;
        }

        /** Classes with fewer than {@code minPerClass} training images, and classes missing from validation. */
        public List<String> warnings(int minPerClass) {
            List<String> warnings = new ArrayList<>();
            Map<String, Map<String, Integer>> counts = counts();
            counts.getOrDefault(TRAIN, Map.of()).forEach((c, n) -> {
                if (n < minPerClass) {
                    warnings.add("class '" + c + "' has only " + n + " training image" + (n == 1 ? "" : "s")
                            + "; at least " + minPerClass + " are recommended");
                }
            });
            validationSplit().ifPresent(split -> counts.get(split).forEach((c, n) -> {
                if (n == 0) {
                    warnings.add("class '" + c + "' has no images in " + split + "/, so its accuracy is not measured");
                }
            }));
            return warnings;
        }

        private Map<String, Integer> zeros() {
            Map<String, Integer> zeros = new LinkedHashMap<>();
            classes.forEach(c -> zeros.put(c, 0));
            return zeros;
        }
    }

    /** Places files given by their paths ('/'-separated, relative, no hidden files). */
    public static Resolved resolve(Collection<String> paths) {
        String root = wrapper(paths);
        List<SkippedFile> skipped = new ArrayList<>();
        SortedMap<String, String[]> inRoot = new TreeMap<>();
        for (String path : paths) {
            if (!path.startsWith(root)) {
                skipped.add(new SkippedFile(path, "outside the dataset folder " + root));
            } else if (Arrays.asList(path.substring(root.length()).split("/", -1)).contains("")) {
                // Uploads never give such a path (EntryNames refuses it), but a listing of a registered prefix can.
                skipped.add(new SkippedFile(path, "not a file path: it has an empty folder or file name"));
            } else {
                inRoot.put(path.substring(root.length()), path.substring(root.length()).split("/"));
            }
        }
        boolean splits = inRoot.values().stream().anyMatch(s -> s.length >= 3 && s[0].equals(TRAIN));
        TreeSet<String> classes = new TreeSet<>();
        for (String[] segments : inRoot.values()) {
            if (splits ? segments.length >= 3 && segments[0].equals(TRAIN) : segments.length >= 2) {
                classes.add(splits ? segments[1] : segments[0]);
            }
        }
        SortedMap<String, Placement> placed = new TreeMap<>();
        for (Map.Entry<String, String[]> e : inRoot.entrySet()) {
            String[] s = e.getValue();
            String original = root + e.getKey();
            if (splits && !SPLIT_NAMES.contains(s[0])) {
                skipped.add(new SkippedFile(original, "outside train/, val/ and test/"));
            } else if (s.length < (splits ? 3 : 2)) {
                skipped.add(new SkippedFile(original, "not inside a class folder"));
            } else if (splits && !classes.contains(s[1])) {
                skipped.add(new SkippedFile(original, "class '" + s[1] + "' has no images in train/"));
            } else {
                placed.put(e.getKey(), splits ? new Placement(s[0], s[1]) : new Placement(TRAIN, s[0]));
            }
        }
        return new Resolved(root, splits ? DatasetManifest.Layout.SPLITS : DatasetManifest.Layout.CLASSES,
                List.copyOf(classes), placed, skipped);
    }

    /**
     * The one folder every file in a folder sits in, when what it holds is itself folders of files: zipping a
     * dataset's folder gives {@code pets/train/cat/1.jpg}. Loose files at the top are ignored here (a README).
     */
    private static String wrapper(Collection<String> paths) {
        String first = null;
        boolean deep = false;
        for (String path : paths) {
            String[] s = path.split("/");
            if (s.length < 2) {
                continue;
            }
            if (first == null) {
                first = s[0];
            } else if (!first.equals(s[0])) {
                return "";
            }
            deep |= s.length >= 3;
        }
        return first != null && deep && !SPLIT_NAMES.contains(first) ? first + "/" : "";
    }
}
