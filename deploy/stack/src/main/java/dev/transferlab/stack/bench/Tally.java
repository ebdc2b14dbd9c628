package dev.transferlab.stack.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Outcomes by kind, thread-safe: how many were as expected, the others with the first way each went wrong. */
final class Tally {
    private final Map<String, int[]> counts = new TreeMap<>();
    private final Map<String, String> firstMismatch = new TreeMap<>();
    private final List<Double> millis = new ArrayList<>();

    /** {@code mismatch} null: as expected. {@code elapsedMillis} negative: not timed. */
    synchronized void add(String kind, String mismatch, double elapsedMillis) {
        int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
        c[mismatch == null ? 0 : 1]++;
        if (mismatch != null) {
            firstMismatch.putIfAbsent(kind, mismatch);
        }
        if (elapsedMillis >= 0) {
            millis.add(elapsedMillis);
        }
    }

    synchronized int total() {
        return counts.values().stream().mapToInt(c -> c[0] + c[1]).sum();
    }

    synchronized int expected() {
        return counts.values().stream().mapToInt(c -> c[0]).sum();
    }

    /** The p-th quantile of the timed outcomes, in ms; NaN when none were timed. */
    synchronized double percentile(double p) {
        if (millis.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        return StackBenchmark.percentile(sorted, p);
    }

    /** One line per kind: "as expected / sent", then the first mismatch if any. */
    synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        counts.forEach((kind, c) -> lines.add(String.format(Locale.ROOT, "%5d / %-5d %s%s", c[0], c[0] + c[1], kind,
                firstMismatch.containsKey(kind) ? "\n              first mismatch: " + firstMismatch.get(kind) : "")));
        return lines;
    }
}
