package dev.transferlab.api.jobs;

/** The kinds of job that share the events topic and the job slot, each with its own endpoints. */
public enum JobKind {
    TRAINING("training job", "training-job"),
    SWEEP("sweep", "sweep"),
    BATCH_PREDICTION("batch prediction", "batch-prediction");

    private final String noun;
    private final String auditName;

    JobKind(String noun, String auditName) {
        this.noun = noun;
        this.auditName = auditName;
    }

    /** How problem details name a job of this kind. */
    public String noun() {
        return noun;
    }

    /** The audit record's action for this kind of job, e.g. {@code sweep.cancelled}. */
    public String action(String verb) {
        return auditName + "." + verb;
    }
}
