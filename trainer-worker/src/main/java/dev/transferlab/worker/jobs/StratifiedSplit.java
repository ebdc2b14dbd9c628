package dev.transferlab.worker.jobs;

import dev.transferlab.common.dataset.StratifiedCounts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Holds out the same fraction of every class, reproducibly for a seed, as many as {@link StratifiedCounts} says.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {
    }

    public record Parts<T>(List<T> train, List<T> validation) {
    }

    public static <T> Parts<T> split(List<T> items, ToIntFunction<T> label, double fraction, long seed) {
        Map<Integer, List<T>> byLabel = new TreeMap<>();
        items.forEach(item -> byLabel.computeIfAbsent(label.applyAsInt(item), l -> new ArrayList<>()).add(item));
        Random random = new Random(seed);
        List<T> train = new ArrayList<>();
        List<T> validation = new ArrayList<>();
        for (List<T> group : byLabel.values()) {
            List<T> shuffled = new ArrayList<>(group);
            Collections.shuffle(shuffled, random);
            int held = StratifiedCounts.heldOut(shuffled.size(), fraction);
            validation.addAll(shuffled.subList(0, held));
            train.addAll(shuffled.subList(held, shuffled.size()));
        }
        return new Parts<>(train, validation);
    }
}
