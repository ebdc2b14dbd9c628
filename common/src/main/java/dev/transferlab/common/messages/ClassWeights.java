package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much each class counts in the training loss, as torch's {@code NLLLoss(weight=...)}: in JSON either the string
 * {@code "balanced"} (scikit-learn's n_samples / (n_classes * count of the class), counted on the training set) or an
 * object of class name to weight, which must name every class of the dataset and no other.
 *
 * @param preset   "balanced" (any other string is refused by {@link #requireValid}); null for explicit weights
 * @param perClass the explicit weights by class name; null for a preset
 */
public record ClassWeights(String preset, Map<String, Double> perClass) {

    public static final String BALANCED = "balanced";
    /** Far beyond any sensible ratio, and small enough that a batch's sum of weights stays finite in float32. */
    public static final double MAX_WEIGHT = 1e6;

    public ClassWeights {
        if ((preset == null) == (perClass == null)) {
            throw new IllegalArgumentException("class weights are a preset or weights per class, not both or neither");
        }
        perClass = perClass == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
    }

    public static ClassWeights balanced() {
        return new ClassWeights(BALANCED, null);
    }

    public static ClassWeights of(Map<String, Double> perClass) {
        return new ClassWeights(null, perClass);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ClassWeights fromJson(JsonNode node) {
        if (node.isTextual()) {
            return new ClassWeights(node.textValue(), null);
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("class weights must be \"" + BALANCED + "\" or an object of class"
                    + " name to weight");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> {
            if (!entry.getValue().isNumber()) {
                throw new IllegalArgumentException("the weight of class '" + entry.getKey() + "' must be a number");
            }
            weights.put(entry.getKey(), entry.getValue().doubleValue());
        });
        return of(weights);
    }

    @JsonValue
    Object toJson() {
        return preset != null ? preset : perClass;
    }

    public boolean isBalanced() {
        return BALANCED.equals(preset);
    }

    /**
     * The weights in the order of {@code classes}, the dataset's, for training on examples of {@code labels} (indices
     * into {@code classes}).
     *
     * @throws IllegalArgumentException saying which class is missing, unknown or without training examples
     */
    public double[] resolve(List<String> classes, int[] labels) {
        double[] weights = new double[classes.size()];
        if (isBalanced()) {
            int[] counts = new int[classes.size()];
            for (int label : labels) {
                counts[label]++;
            }
            long total = labels.length;
            for (int c = 0; c < weights.length; c++) {
                if (counts[c] == 0) {
                    throw new IllegalArgumentException("classWeights \"balanced\" needs training images of every"
                            + " class, and class '" + classes.get(c) + "' has none");
                }
                weights[c] = (double) total / ((double) classes.size() * counts[c]);
            }
            return weights;
        }
        List<String> unknown = perClass.keySet().stream().filter(name -> !classes.contains(name)).toList();
        List<String> missing = classes.stream().filter(name -> !perClass.containsKey(name)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new IllegalArgumentException("classWeights must give a weight to each of the dataset's classes "
                    + classes + " and to no other" + (unknown.isEmpty() ? "" : "; not classes of the dataset: "
                    + unknown) + (missing.isEmpty() ? "" : "; without a weight: " + missing));
        }
        for (int c = 0; c < weights.length; c++) {
            weights[c] = perClass.get(classes.get(c));
        }
        return weights;
    }

    /** @throws InvalidFieldException naming {@code field} (or the class's weight under it) when unusable */
    void requireValid(String field) {
        if (preset != null && !isBalanced()) {
            throw new InvalidFieldException(field, "must be \"" + BALANCED + "\" or an object of class name to"
                    + " weight, got \"" + preset + "\"");
        }
        if (perClass != null && perClass.isEmpty()) {
            throw new InvalidFieldException(field, "must give a weight to each class, got none");
        }
        if (perClass != null) {
            perClass.forEach((name, weight) -> {
                if (weight == null || !(weight > 0 && weight <= MAX_WEIGHT)) {
                    throw new InvalidFieldException(field + "." + name, "must be above 0 and at most " + MAX_WEIGHT
                            + ", got " + weight);
                }
            });
        }
    }
}
