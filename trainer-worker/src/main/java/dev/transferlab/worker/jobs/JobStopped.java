package dev.transferlab.worker.jobs;

/**
 * Ends a job early, from any depth of its work, for a reason other than a failure: code between the job and its
 * work (building the backbone, for one) lets it through instead of reporting it as the work's own error.
 */
public abstract class JobStopped extends RuntimeException {
    JobStopped(String message) {
        super(message);
    }
}
