package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a sweep optimises, always on the validation set: test figures are looked at only once, for the model the sweep
 * stores. A trial's score is its stored epoch's (the epoch with the lowest validation loss, as for a training job), so
 * the leaderboard ranks the models that would be served.
 */
public enum SweepMetric {
    VALIDATION_LOSS, VALIDATION_ACCURACY;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static SweepMetric fromWireName(String wireName) {
        return Arrays.stream(values()).filter(m -> m.wireName().equals(wireName)).findFirst()
                .orElseThrow(() -> new InvalidFieldException("metric", "must be one of " + Arrays.stream(values())
                        .map(SweepMetric::wireName).collect(Collectors.joining(", ")) + ", got " + wireName));
    }

    public double score(EpochMetrics epoch) {
        return this == VALIDATION_LOSS ? epoch.validationLoss() : epoch.validationAccuracy();
    }

    /** Whether score {@code a} beats {@code b}: lower loss, higher accuracy. */
    public boolean better(double a, double b) {
        return this == VALIDATION_LOSS ? a < b : a > b;
    }
}
