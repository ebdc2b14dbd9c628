package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.EvaluationReport.SetEvaluation;
import dev.transferlab.common.model.ModelScores;
import dev.transferlab.worker.ml.Evaluator;
import dev.transferlab.worker.ml.Head;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.TrainingOutcome;

import java.util.List;
import java.util.Map;

/**
 * Judges the model a job stores, from the cached features of its validation and test images (the backbone does no
 * more work): the evaluation report of the stored epoch, and the scores of that epoch and the last one. The test set is
 * looked at only here, after training chose the epoch.
 */
final class ModelEvaluation {

    record Result(EvaluationReport report, ModelScores scores) {
    }

    /** A set's features, with the paths of their images row by row. */
    record EvaluatedSet(LabelledFeatures features, List<String> paths) {

        static EvaluatedSet of(FeatureTable table, List<ImageFolder.Item> items) {
            return new EvaluatedSet(table.labelled(items),
                    table.withFeatures(items).stream().map(ImageFolder.Item::path).toList());
        }
    }

    private ModelEvaluation() {
    }

    static Result of(String modelId, List<String> classes, TrainingOutcome outcome, EvaluatedSet validation,
            EvaluatedSet test, Device device) {
        SetEvaluation storedValidation = evaluate(outcome.headWeights(), validation, classes, device);
        SetEvaluation storedTest = evaluate(outcome.headWeights(), test, classes, device);
        SetEvaluation lastTest = outcome.bestEpoch() == outcome.last().epoch() ? storedTest
                : evaluate(outcome.lastWeights(), test, classes, device);
        return new Result(new EvaluationReport(Messages.SCHEMA_VERSION, modelId, outcome.bestEpoch(), classes,
                storedValidation, storedTest),
                new ModelScores(scores(outcome.best(), storedTest), scores(outcome.last(), lastTest)));
    }

    private static SetEvaluation evaluate(Map<String, Tensor> weights, EvaluatedSet set, List<String> classes,
            Device device) {
        if (set.features().size() == 0) {
            return null;
        }
        try (Head head = Head.load(weights, device)) {
            return Evaluator.evaluate(head.probabilities(set.features().features()), set.features().labels(),
                    set.paths(), classes);
        }
    }

    private static ModelScores.EpochScores scores(EpochMetrics epoch, SetEvaluation test) {
        return new ModelScores.EpochScores(epoch.epoch(), epoch.validationLoss(), epoch.validationAccuracy(),
                test == null ? 0 : test.images(), test == null ? null : test.logLoss(),
                test == null ? null : test.accuracy());
    }
}
