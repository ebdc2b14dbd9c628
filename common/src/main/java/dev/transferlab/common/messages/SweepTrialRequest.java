package dev.transferlab.common.messages;

/**
 * Command from one worker to all: train trial {@code trial} of {@code sweep} up to the sweep's rung {@code rung}
 * ({@link SweepPlan#rungs}), resuming from its checkpoint at the rung before. On {@link Topics#SWEEP_TRIALS}, keyed by
 * {@code <sweep id>/<trial>} so that a sweep's trials spread over the topic's partitions and so over the workers.
 * Whichever worker takes it records the outcome in the sweep's area of object storage, where the worker running the
 * sweep reads it; a trial recorded already is not trained again, so a command delivered twice does no harm.
 */
public record SweepTrialRequest(int schemaVersion, SweepRequest sweep, int trial, int rung) {

    public static SweepTrialRequest of(SweepRequest sweep, int trial, int rung) {
        return new SweepTrialRequest(Messages.SCHEMA_VERSION, sweep, trial, rung);
    }

    /** The record key: one sweep's trials go to different partitions. */
    public String key() {
        return sweep.jobId() + "/" + trial;
    }
}
