package dev.transferlab.worker.ml;

import dev.transferlab.common.messages.EpochMetrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What head training produced: every epoch's metrics (those before a resume included), the epoch (1-based) with the
 * lowest validation loss, that epoch's weights named as in the tutorial's nn.Sequential (fc1.weight, fc1.bias,
 * fc2.weight, fc2.bias), whether early stopping ended it before the planned number of epochs, and the last epoch's
 * weights (for reporting beside the best: they are not stored).
 */
public record TrainingOutcome(List<EpochMetrics> epochs, int bestEpoch, Map<String, Tensor> headWeights,
        boolean stoppedEarly, Map<String, Tensor> lastWeights) {

    public TrainingOutcome {
        epochs = List.copyOf(epochs);
        // Ordered as PyTorch's state_dict, so files written from it read the same.
        headWeights = Collections.unmodifiableMap(new LinkedHashMap<>(headWeights));
        lastWeights = Collections.unmodifiableMap(new LinkedHashMap<>(lastWeights));
    }

    public EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }

    public EpochMetrics best() {
        return epochs.get(bestEpoch - 1);
    }
}
