package dev.transferlab.worker.ml.weights;

import dev.transferlab.worker.ml.WeightsFormatException;

/** A pickle that asks for something other than tensors and containers; it was refused before anything ran. */
public class UnsafePickleException extends WeightsFormatException {

    public UnsafePickleException(String message) {
        super(message);
    }
}
