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
 * Holds out the same fractions of every class, reproducibly for a seed, as many as {@link StratifiedCounts} says:
 * first the test part, then the validation part, and the rest is for training.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {
    }

    public record Parts<T>(List<T> train, List<T> validation, List<T> test) {
    }

    public static <T> Parts<T> split(List<T> items, ToIntFunction<T> label, double validationFraction,
            double testFraction, long seed) {
        Map<Integer, List<T>> byLabel = new TreeMap<>();
        items.forEach(item -> byLabel.computeIfAbsent(label.applyAsInt(item), l -> new ArrayList<>()).add(item));
        Random random = new Random(seed);
        List<T> train = new ArrayList<>();
        List<T> validation = new ArrayList<>();
        List<T> test = new ArrayList<>();
        for (List<T> group : byLabel.values()) {
            List<T> shuffled = new ArrayList<>(group);
            Collections.shuffle(shuffled, random);
            int tested = StratifiedCounts.heldOut(shuffled.size(), testFraction);
            int validated = tested + StratifiedCounts.heldOutAfter(shuffled.size(), tested, validationFraction);
            test.addAll(shuffled.subList(0, tested));
            validation.addAll(shuffled.subList(tested, validated));
            train.addAll(shuffled.subList(validated, shuffled.size()));
        }
        return new Parts<>(train, validation, test);
    }
}
