package dev.transferlab.worker.ml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What Adam remembers between steps, per parameter name (fc1.weight, ...): the running means of the gradient (m) and
 * of its square (v), and how many steps that parameter has taken (t, which sets the bias correction).
 */
public record AdamState(Map<String, Tensor> means, Map<String, Tensor> variances, Map<String, Long> steps) {

    public AdamState {
        means = ordered(Objects.requireNonNull(means, "means"));
        variances = ordered(Objects.requireNonNull(variances, "variances"));
        steps = ordered(Objects.requireNonNull(steps, "steps"));
        if (!means.keySet().equals(variances.keySet()) || !means.keySet().equals(steps.keySet())) {
            throw new IllegalArgumentException("Adam state names its means " + means.keySet() + ", variances "
                    + variances.keySet() + " and steps " + steps.keySet() + " differently");
        }
        steps.forEach((name, step) -> {
            if (step == null || step < 1) {
                throw new IllegalArgumentException("Adam state for " + name + " has step " + step);
            }
        });
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
