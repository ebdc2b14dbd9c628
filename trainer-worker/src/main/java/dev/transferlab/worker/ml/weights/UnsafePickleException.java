package dev.transferlab.worker.ml.weights;

/** A pickle that asks for something other than tensors and containers; it was refused before anything ran. */
public class UnsafePickleException extends IllegalArgumentException {

    public UnsafePickleException(String message) {
        super(message);
    }
}
