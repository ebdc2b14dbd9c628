package dev.transferlab.common.messages;

/**
 * Kafka topic names. Services map their channels to these in configuration; this is the one place they are spelled.
 */
public final class Topics {
    public static final String TRAINING_REQUESTS = "transferlab.training-requests";
    public static final String TRAINING_CONTROL = "transferlab.training-control";
    public static final String TRAINING_EVENTS = "transferlab.training-events";
    public static final String INFERENCE_REQUESTS = "transferlab.inference-requests";
    public static final String INFERENCE_RESULTS = "transferlab.inference-results";
    public static final String DEAD_LETTERS = "transferlab.dead-letters";
    /** {@link AuditEvent}s: who changed what. Kept long; nothing reads it back into the services. */
    public static final String AUDIT = "transferlab.audit";

    private Topics() {
    }
}
