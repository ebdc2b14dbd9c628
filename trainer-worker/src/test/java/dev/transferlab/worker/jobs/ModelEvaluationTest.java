package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.model.ModelScores;
import dev.transferlab.worker.ml.LabelledFeatures;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.TrainingOutcome;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelEvaluationTest {

    private static final List<String> CLASSES = List.of("cat", "dog");

    @Test
    void theReportIsTheStoredEpochsAndTheLastEpochIsScoredWithItsOwnWeights() {
        // Epoch 1 (stored) always answers cat, epoch 2 (last) always dog; the test set is three cats and a dog.
        TrainingOutcome outcome = new TrainingOutcome(List.of(epoch(1, 0.3, 0.5), epoch(2, 0.9, 0.5)), 1,
                alwaysAnswers(0), false, alwaysAnswers(1));
        ModelEvaluation.EvaluatedSet validation = set(new int[] {0, 1}, "train/");
        ModelEvaluation.EvaluatedSet test = set(new int[] {0, 0, 0, 1}, "test/");

        ModelEvaluation.Result result = ModelEvaluation.of("m", CLASSES, outcome, validation, test, Device.cpu());

        assertThat(result.report().epoch()).isEqualTo(1);
        assertThat(result.report().validation().accuracy()).isEqualTo(0.5);
        assertThat(result.report().test().accuracy()).isEqualTo(0.75);
        assertThat(result.report().test().misclassified()).singleElement()
                .satisfies(m -> assertThat(m.path()).isEqualTo("test/3.png"));
        assertThat(result.scores().best()).isEqualTo(new ModelScores.EpochScores(1, 0.3, 0.5, 4,
                result.report().test().logLoss(), 0.75));
        assertThat(result.scores().last().epoch()).isEqualTo(2);
        assertThat(result.scores().last().validationLoss()).isEqualTo(0.9);
        assertThat(result.scores().last().testAccuracy()).isEqualTo(0.25);
    }

    @Test
    void withoutATestSetThereAreNoTestFigures() {
        TrainingOutcome outcome = new TrainingOutcome(List.of(epoch(1, 0.3, 0.5)), 1, alwaysAnswers(0), false,
                alwaysAnswers(0));

        ModelEvaluation.Result result = ModelEvaluation.of("m", CLASSES, outcome, set(new int[] {0, 1}, "train/"),
                set(new int[0], "test/"), Device.cpu());

        assertThat(result.report().test()).isNull();
        assertThat(result.scores().best().testImages()).isZero();
        assertThat(result.scores().best().testAccuracy()).isNull();
        assertThat(result.scores().last().testLoss()).isNull();
    }

    private static EpochMetrics epoch(int epoch, double validationLoss, double validationAccuracy) {
        return new EpochMetrics(epoch, 2, 0.5, validationLoss, validationAccuracy, 100, 0.1, 1e-3);
    }

    /** A head whose output ignores its input: the bias of {@code label} wins. */
    private static Map<String, Tensor> alwaysAnswers(int label) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("fc1.weight", new Tensor(new long[] {2, 3}, new float[6]));
        weights.put("fc1.bias", new Tensor(new long[] {2}, new float[2]));
        weights.put("fc2.weight", new Tensor(new long[] {2, 2}, new float[4]));
        float[] bias = new float[2];
        bias[label] = 3;
        weights.put("fc2.bias", new Tensor(new long[] {2}, bias));
        return weights;
    }

    private static ModelEvaluation.EvaluatedSet set(int[] labels, String folder) {
        float[][] features = new float[labels.length][3];
        List<String> paths = java.util.stream.IntStream.range(0, labels.length).mapToObj(i -> folder + i + ".png")
                .toList();
        return new ModelEvaluation.EvaluatedSet(new LabelledFeatures(features, labels), paths);
    }
}
