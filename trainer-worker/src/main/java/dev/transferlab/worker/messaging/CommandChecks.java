package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.TrainingRequest;

/** Commands that parse but lack what a worker needs are malformed too: they go to the dead-letter topic. */
final class CommandChecks {
    private CommandChecks() {
    }

    static TrainingRequest valid(TrainingRequest r) {
        require(r.jobId(), "jobId");
        require(r.tenant(), "tenant");
        require(r.dataset(), "dataset");
        require(r.backbone(), "backbone");
        require(r.hyperparameters(), "hyperparameters");
        if (r.hyperparameters().epochs() < 1 || r.hyperparameters().batchSize() < 1
                || r.hyperparameters().hiddenUnits() < 1 || !(r.hyperparameters().learningRate() > 0)
                || r.hyperparameters().earlyStoppingPatience() != null && r.hyperparameters().earlyStoppingPatience() < 1) {
            throw new MalformedMessageException("training request " + r.jobId() + " has out-of-range "
                    + "hyperparameters: " + r.hyperparameters(), null);
        }
        return r;
    }

    static InferenceRequest valid(InferenceRequest r) {
        require(r.requestId(), "requestId");
        require(r.tenant(), "tenant");
        require(r.modelId(), "modelId");
        require(r.image(), "image");
        return r;
    }

    private static void require(Object value, String field) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new MalformedMessageException("the command has no '" + field + "'", null);
        }
    }
}
