package dev.transferlab.common.messages;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka topic names. Services map their channels to these in configuration; this is the one place they are spelled.
 */
public final class Topics {
    /** Training commands from the api-service, the only principal the broker lets write here. */
    public static final String TRAINING_REQUESTS = "transferlab.training-requests";
    public static final String TRAINING_CONTROL = "transferlab.training-control";
    public static final String TRAINING_EVENTS = "transferlab.training-events";
    /** {@link BatchPredictionRequest}s from the api-service. */
    public static final String BATCH_PREDICTION_REQUESTS = "transferlab.batch-prediction-requests";
    /** {@link SweepRequest}s from the api-service. */
    public static final String SWEEP_REQUESTS = "transferlab.sweep-requests";
    /**
     * {@link SweepTrialRequest}s: a sweep's trials, written by the worker running the sweep and taken by every
     * training worker's trial consumers, so that one sweep's trials spread over all the workers.
     */
    public static final String SWEEP_TRIALS = "transferlab.sweep-trials";
    public static final String INFERENCE_REQUESTS = "transferlab.inference-requests";
    public static final String INFERENCE_RESULTS = "transferlab.inference-results";
    public static final String DEAD_LETTERS = "transferlab.dead-letters";
    /** {@link AuditEvent}s: who changed what. Kept long; nothing reads it back into the services. */
    public static final String AUDIT = "transferlab.audit";

    /**
     * What the workers' training channel subscribes to: {@link #TRAINING_REQUESTS} and every tenant's own command
     * topic ({@link #tenantTrainingRequests}). Dots are written {@code [.]} so that no properties-file escaping can
     * turn them into "any character".
     */
    public static final String TRAINING_REQUESTS_PATTERN =
            "transferlab[.]training-requests|transferlab[.]tenants[.][a-z0-9][a-z0-9-]*[.]training-requests";

    private static final Pattern TENANT_TRAINING_REQUESTS =
            Pattern.compile("transferlab[.]tenants[.]([a-z0-9][a-z0-9-]*)[.]training-requests");

    private Topics() {
    }

    /**
     * A tenant's own command topic: the broker's ACLs let only that tenant's principal write to it, so a command read
     * from it speaks for that tenant and no other.
     */
    public static String tenantTrainingRequests(String tenant) {
        return "transferlab.tenants." + Ids.require("tenant", tenant) + ".training-requests";
    }

    /** @return the tenant whose own command topic {@code topic} is, or empty when it is no tenant's */
    public static Optional<String> tenantOfTrainingRequests(String topic) {
        Matcher m = TENANT_TRAINING_REQUESTS.matcher(topic);
        return m.matches() && Ids.isValid(m.group(1)) ? Optional.of(m.group(1)) : Optional.empty();
    }
}
