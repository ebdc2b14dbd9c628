package dev.transferlab.api.jobs;

/**
 * An event that parses but does not fit the job it names (a field it needs is missing, its job was never accepted,
 * it comes after the job ended, ...). The projection leaves the job as it was; the message is the dead-letter reason.
 */
public final class UnfitEventException extends RuntimeException {
    public UnfitEventException(String reason) {
        super(reason);
    }
}
