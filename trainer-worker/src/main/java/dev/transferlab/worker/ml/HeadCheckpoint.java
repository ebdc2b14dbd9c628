package dev.transferlab.worker.ml;

import ai.djl.ndarray.types.Shape;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a head training needs to go on after {@code epoch} exactly as if it had never stopped: the weights, the
 * optimiser's state, the history so far and the best epoch with its weights. The shuffle needs no state (each epoch's
 * order is a function of the seed and the epoch) and early stopping's count is {@code epoch - bestEpoch}. The run's
 * hyperparameters and example counts are kept so that a checkpoint cannot resume a different run.
 *
 * @param bestLoss the loss that chose the best epoch: validation loss, or training loss when there is no validation
 */
public record HeadCheckpoint(
        int epoch,
        Hyperparameters hyperparameters,
        int trainingExamples,
        int validationExamples,
        Map<String, Tensor> headWeights,
        AdamState optimiser,
        List<EpochMetrics> history,
        int bestEpoch,
        double bestLoss,
        Map<String, Tensor> bestWeights) {

    public HeadCheckpoint {
        Objects.requireNonNull(hyperparameters, "hyperparameters");
        Objects.requireNonNull(optimiser, "optimiser");
        headWeights = Collections.unmodifiableMap(new LinkedHashMap<>(headWeights));
        bestWeights = Collections.unmodifiableMap(new LinkedHashMap<>(bestWeights));
        history = List.copyOf(history);
        if (epoch < 1 || epoch > hyperparameters.epochs() || history.size() != epoch || bestEpoch < 1
                || bestEpoch > epoch) {
            throw new IllegalArgumentException("a checkpoint after epoch " + epoch + " of " + hyperparameters.epochs()
                    + " needs that many epochs of history (got " + history.size() + ") and a best epoch among them"
                    + " (got " + bestEpoch + ")");
        }
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).epoch() != i + 1) {
                throw new IllegalArgumentException("checkpoint history entry " + i + " is epoch "
                        + history.get(i).epoch() + ", expected " + (i + 1));
            }
        }
    }

    /** One safetensors file: see {@link CheckpointFile} for its layout. */
    public byte[] toBytes() {
        return CheckpointFile.write(this);
    }

    /** @throws WeightsFormatException when the bytes are not a head checkpoint or are corrupt; the message says how */
    public static HeadCheckpoint fromBytes(byte[] bytes) {
        return CheckpointFile.read(bytes);
    }

    /** Refuses to resume a run other than the one this was taken from, which would not continue it exactly. */
    void checkResumes(Hyperparameters hp, int trainingExamples, int validationExamples, Map<String, Shape> shapes) {
        if (!hyperparameters.equals(hp)) {
            throw new IllegalArgumentException("the checkpoint was taken with " + hyperparameters
                    + "; this run has " + hp);
        }
        if (this.trainingExamples != trainingExamples || this.validationExamples != validationExamples) {
            throw new IllegalArgumentException("the checkpoint was taken training on " + this.trainingExamples
                    + " examples and validating on " + this.validationExamples + "; this run has "
                    + trainingExamples + " and " + validationExamples);
        }
        checkShapes("head weights", headWeights, shapes);
        checkShapes("best weights", bestWeights, shapes);
        checkShapes("Adam means", optimiser.means(), shapes);
        checkShapes("Adam variances", optimiser.variances(), shapes);
    }

    private static void checkShapes(String what, Map<String, Tensor> tensors, Map<String, Shape> shapes) {
        if (!tensors.keySet().equals(shapes.keySet())) {
            throw new IllegalArgumentException("the checkpoint's " + what + " are " + tensors.keySet()
                    + "; this run's head has " + shapes.keySet());
        }
        shapes.forEach((name, shape) -> {
            if (!Arrays.equals(tensors.get(name).shape(), shape.getShape())) {
                throw new IllegalArgumentException("the checkpoint's " + what + " " + name + " has shape "
                        + new Shape(tensors.get(name).shape()) + "; this run's head needs " + shape);
            }
        });
    }
}
