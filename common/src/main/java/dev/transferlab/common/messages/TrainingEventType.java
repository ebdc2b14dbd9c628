package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

public enum TrainingEventType {
    ACCEPTED, STARTED, RESUMED,
    /** Images through the backbone so far, with rate and ETA; the last one of a job has done == total. */
    EXTRACTION_PROGRESS,
    /** The job's features came from the feature cache: the backbone does no work for it. */
    FEATURE_CACHE_HIT,
    /**
     * What a cross-validated linear probe on the job's features reaches: the accuracy its head should at least reach,
     * and which classes the features hardly tell apart. Without {@code baseline}, {@code message} says why none was
     * computed.
     */
    LEARNABILITY_BASELINE,
    EPOCH_COMPLETED, CHECKPOINTED, CANCEL_REQUESTED,
    /** A sweep's trial finished (or successive halving stopped it): its hyperparameters and metrics. */
    TRIAL_COMPLETED,
    /**
     * The worker running the job is shutting down: it stopped at a batch boundary, kept the checkpoint of the epoch
     * in {@code epoch} (0: none yet) and left the command unacknowledged, so another worker resumes the job. Not
     * terminal: the job is queued again.
     */
    RELEASED,
    COMPLETED, FAILED, CANCELLED;

    /** Name on the wire and as the SSE {@code event:} field, e.g. {@code epoch-completed}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static TrainingEventType fromWireName(String wireName) {
        return Arrays.stream(values()).filter(t -> t.wireName().equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown training event type: " + wireName));
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
