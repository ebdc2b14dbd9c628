package dev.transferlab.worker.ml;

/** An image that cannot be used, with a message that tells the person who supplied it what to fix. */
public class InvalidImageException extends RuntimeException {

    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
