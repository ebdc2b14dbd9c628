package dev.transferlab.worker.ml;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.EvaluationReport.SetEvaluation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every figure of the report against scikit-learn's on the same probabilities: the committed fixture is made by
 * {@code /usr/bin/python3 src/test/python/evaluation_fixtures.py src/test/resources/evaluation/sklearn.json}.
 */
class EvaluatorTest {

    private static final double TOLERANCE = 1e-12;

    static List<JsonNode> cases() throws IOException {
        try (InputStream in = EvaluatorTest.class.getResourceAsStream("/evaluation/sklearn.json")) {
            List<JsonNode> cases = new ArrayList<>();
            Messages.mapper().readTree(in).forEach(cases::add);
            return cases;
        }
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void everyFigureIsScikitLearns(JsonNode fixture) {
        JsonNode expected = fixture.get("expected");
        List<String> classes = strings(fixture.get("classes"));

        SetEvaluation e = Evaluator.evaluate(probabilities(fixture.get("probabilities")),
                ints(fixture.get("labels")), strings(fixture.get("paths")), classes);

        assertThat(e.images()).isEqualTo(fixture.get("labels").size());
        assertThat(e.accuracy()).isCloseTo(expected.get("accuracy").asDouble(), within(TOLERANCE));
        if (expected.get("topKAccuracy").isNull()) {
            assertThat(e.topK()).isNull();
            assertThat(e.topKAccuracy()).isNull();
        } else {
            assertThat(e.topK()).isEqualTo(EvaluationReport.TOP_K);
            assertThat(e.topKAccuracy()).isCloseTo(expected.get("topKAccuracy").asDouble(), within(TOLERANCE));
        }
        assertThat(e.logLoss()).isCloseTo(expected.get("logLoss").asDouble(), within(TOLERANCE));
        List<List<Integer>> matrix = new ArrayList<>();
        expected.get("confusionMatrix").forEach(row -> matrix.add(boxed(ints(row))));
        assertThat(e.confusionMatrix()).isEqualTo(matrix);
        for (int k = 0; k < classes.size(); k++) {
            EvaluationReport.ClassScores s = e.perClass().get(k);
            assertThat(s.className()).isEqualTo(classes.get(k));
            assertThat(s.precision()).isCloseTo(expected.get("precision").get(k).asDouble(), within(TOLERANCE));
            assertThat(s.recall()).isCloseTo(expected.get("recall").get(k).asDouble(), within(TOLERANCE));
            assertThat(s.f1()).isCloseTo(expected.get("f1").get(k).asDouble(), within(TOLERANCE));
            assertThat(s.support()).isEqualTo(expected.get("support").get(k).asInt());
        }
        assertAverage(e.macroAverage(), expected.get("macro"), e.images());
        assertAverage(e.weightedAverage(), expected.get("weighted"), e.images());
        assertThat(e.calibration().bins()).isEqualTo(15);
        assertThat(e.calibration().expectedCalibrationError())
                .isCloseTo(expected.get("expectedCalibrationError").asDouble(), within(TOLERANCE));
        for (int b = 0; b < 15; b++) {
            EvaluationReport.ReliabilityBin bin = e.calibration().reliability().get(b);
            assertThat(bin.lower()).isCloseTo(b / 15.0, within(TOLERANCE));
            assertThat(bin.upper()).isCloseTo((b + 1) / 15.0, within(TOLERANCE));
            assertThat(bin.images()).isEqualTo(expected.get("binImages").get(b).asInt());
            assertNullOrClose(bin.accuracy(), expected.get("binAccuracy").get(b));
            assertNullOrClose(bin.meanConfidence(), expected.get("binMeanConfidence").get(b));
        }
        assertThat(e.misclassifiedImages()).isEqualTo(expected.get("misclassifiedImages").asInt());
        JsonNode wrong = expected.get("misclassified");
        assertThat(e.misclassified()).hasSize(Math.min(wrong.size(), EvaluationReport.MAX_MISCLASSIFIED));
        for (int i = 0; i < wrong.size(); i++) {
            EvaluationReport.Misclassified m = e.misclassified().get(i);
            assertThat(m.path()).isEqualTo(wrong.get(i).get("path").asText());
            assertThat(m.trueClass()).isEqualTo(wrong.get(i).get("trueClass").asText());
            assertThat(m.predictedClass()).isEqualTo(wrong.get(i).get("predictedClass").asText());
            assertThat(m.probability()).isCloseTo(wrong.get(i).get("probability").asDouble(), within(TOLERANCE));
        }
    }

    @Test
    void theFixturesCoverTheCasesThatNeedCare() throws IOException {
        List<JsonNode> cases = cases();
        // More wrong images than are listed, a class without images, and a set too small for top-k.
        assertThat(cases).anyMatch(c -> c.get("expected").get("misclassifiedImages").asInt()
                > EvaluationReport.MAX_MISCLASSIFIED);
        assertThat(cases).anyMatch(c -> ints(c.get("expected").get("support"))[c.get("classes").size() - 1] == 0);
        assertThat(cases).anyMatch(c -> c.get("expected").get("topKAccuracy").isNull());
    }

    @Test
    void anEmptySetHasNoEvaluation() {
        assertThat(Evaluator.evaluate(new float[0][], new int[0], List.of(), List.of("a", "b"))).isNull();
    }

    private static void assertAverage(EvaluationReport.Average actual, JsonNode expected, int images) {
        assertThat(actual.precision()).isCloseTo(expected.get("precision").asDouble(), within(TOLERANCE));
        assertThat(actual.recall()).isCloseTo(expected.get("recall").asDouble(), within(TOLERANCE));
        assertThat(actual.f1()).isCloseTo(expected.get("f1").asDouble(), within(TOLERANCE));
        assertThat(actual.support()).isEqualTo(images);
    }

    private static void assertNullOrClose(Double actual, JsonNode expected) {
        if (expected.isNull()) {
            assertThat(actual).isNull();
        } else {
            assertThat(actual).isCloseTo(expected.asDouble(), within(TOLERANCE));
        }
    }

    private static float[][] probabilities(JsonNode rows) {
        float[][] p = new float[rows.size()][];
        for (int i = 0; i < p.length; i++) {
            JsonNode row = rows.get(i);
            p[i] = new float[row.size()];
            for (int j = 0; j < p[i].length; j++) {
                // Exact: the fixture holds float32 values written as doubles.
                p[i][j] = (float) row.get(j).asDouble();
            }
        }
        return p;
    }

    private static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    private static List<Integer> boxed(int[] values) {
        return IntStream.of(values).boxed().toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(node -> strings.add(node.asText()));
        return strings;
    }
}
