package dev.transferlab.worker.jobs;

/** A job cannot go on for a reason the user can act on; it ends with a failed event carrying the message. */
public class JobFailure extends RuntimeException {
    public JobFailure(String reason) {
        super(reason);
    }

    public JobFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
