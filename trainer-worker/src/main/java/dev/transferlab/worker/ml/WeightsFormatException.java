package dev.transferlab.worker.ml;

/**
 * A file of tensors (backbone weights in any format {@code ml.weights.WeightsFile} reads, safetensors, a head
 * checkpoint) that is damaged or is not what it claims; the message names what is wrong. It is the only exception
 * the readers of such files throw for their content, whatever the bytes, so a caller catches this one type. It is an
 * IllegalArgumentException because the bytes are the argument that is wrong.
 */
public class WeightsFormatException extends IllegalArgumentException {

    public WeightsFormatException(String message) {
        super(message);
    }
}
