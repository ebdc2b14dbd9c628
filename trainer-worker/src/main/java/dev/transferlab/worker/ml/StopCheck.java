package dev.transferlab.worker.ml;

/**
 * Asked between the steps of long work that the caller may want to end early, such as building a large network
 * layer by layer and filling in its weights. It stops the work by throwing the caller's own unchecked exception,
 * which the ml code lets through unchanged, so the caller learns why it stopped in its own terms.
 */
@FunctionalInterface
public interface StopCheck {

    /** For work nobody stops. */
    StopCheck NEVER = () -> {
    };

    /** Returns when the work may go on; throws to stop it. */
    void throwIfStopped();
}
