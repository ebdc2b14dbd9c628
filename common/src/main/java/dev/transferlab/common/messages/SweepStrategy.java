package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a sweep picks its trials.
 *
 * @param type            {@code grid}: every combination of the space's points (a range needs {@code steps});
 *                        {@code random}: {@code maxTrials} draws, reproducible from {@code seed};
 *                        {@code successive-halving}: {@code maxTrials} random draws trained {@code minEpochs} epochs,
 *                        the best {@code 1/reductionFactor} of them resumed from their checkpoints to
 *                        {@code minEpochs * reductionFactor} epochs, and so on up to the base's {@code epochs}
 * @param seed            of the random draws (absent: 0)
 * @param minEpochs       successive halving's first rung (absent: 1)
 * @param reductionFactor successive halving's η: each rung keeps 1/η of the trials and trains η times longer (absent: 3)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepStrategy(Type type, Long seed, Integer minEpochs, Integer reductionFactor) {

    public static final int DEFAULT_REDUCTION_FACTOR = 3;

    public enum Type {
        GRID, RANDOM, SUCCESSIVE_HALVING;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Type fromWireName(String wireName) {
            return Arrays.stream(values()).filter(t -> t.wireName().equals(wireName)).findFirst()
                    .orElseThrow(() -> new InvalidFieldException("strategy.type", "must be one of "
                            + Arrays.stream(values()).map(Type::wireName).collect(Collectors.joining(", "))
                            + ", got " + wireName));
        }
    }

    public static SweepStrategy grid() {
        return new SweepStrategy(Type.GRID, null, null, null);
    }

    public static SweepStrategy random(long seed) {
        return new SweepStrategy(Type.RANDOM, seed, null, null);
    }

    public static SweepStrategy successiveHalving(long seed, int minEpochs, int reductionFactor) {
        return new SweepStrategy(Type.SUCCESSIVE_HALVING, seed, minEpochs, reductionFactor);
    }

    public long seedOrDefault() {
        return seed == null ? 0 : seed;
    }

    public int minEpochsOrDefault() {
        return minEpochs == null ? 1 : minEpochs;
    }

    public int reductionFactorOrDefault() {
        return reductionFactor == null ? DEFAULT_REDUCTION_FACTOR : reductionFactor;
    }
}
