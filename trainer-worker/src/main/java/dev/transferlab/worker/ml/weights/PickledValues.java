package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Rules for the plain data a pickle builds. A pickle can nest values as deep as it is long and make a list contain
 * itself, so nothing here recurses without a bound: not a description in a message, not a key's hash.
 */
final class PickledValues {

    private static final int SHOWN_ITEMS = 6;
    private static final int SHOWN_CHARACTERS = 60;

    private PickledValues() {
    }

    /**
     * Puts one dict item. Keys are scalars, as in every state dict: Python refuses lists as keys (they are unhashable),
     * and refusing tuples too keeps a key from being hashed recursively.
     */
    static void put(Map<Object, Object> map, Object key, Object value) {
        if (!(key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean)) {
            throw new WeightsFormatException("a dict key must be a string or a number in a weights file, got "
                    + describe(key));
        }
        map.put(key, value);
    }

    /** A short description for a message: scalars as Python shows them (cut short), containers two levels deep. */
    static String describe(Object value) {
        return describe(value, 2);
    }

    private static String describe(Object value, int depth) {
        if (value == null) {
            return "None";
        }
        if (value instanceof String text) {
            return "'" + (text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) + "…" : text) + "'";
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() > 128 ? "an integer of " + big.bitLength() + " bits" : big.toString();
        }
        if (value instanceof List<?> list) {
            if (depth == 0 || list.size() > SHOWN_ITEMS) {
                return "a sequence of " + list.size() + " items";
            }
            StringBuilder text = new StringBuilder("(");
            for (Object item : list) {
                text.append(text.length() > 1 ? ", " : "").append(describe(item, depth - 1));
            }
            return text.append(")").toString();
        }
        if (value instanceof Map<?, ?> map) {
            return "a dict of " + map.size() + " items";
        }
        return value.getClass().getSimpleName();
    }
}
