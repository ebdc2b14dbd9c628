package dev.transferlab.worker.backbone;

/** Backbone weights that cannot be had, or not with the content they must have; the message says which. */
public class WeightsException extends RuntimeException {

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
