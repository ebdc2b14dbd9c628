package dev.transferlab.worker.ml;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Messages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The probe against scikit-learn's {@code LogisticRegression(solver="liblinear", dual=False)} on the same rows and
 * folds, one case with fewer training rows than dimensions: the committed fixture is made by
 * {@code /usr/bin/python3 src/test/python/baseline_fixtures.py src/test/resources/baseline/sklearn.json}.
 */
class LinearProbeTest {

    /** Both solvers stop at the fixture's tolerance on one strictly convex objective; they differ in iterations. */
    private static final double PROBABILITY_TOLERANCE = 1e-7;

    static List<JsonNode> cases() throws IOException {
        try (InputStream in = LinearProbeTest.class.getResourceAsStream("/baseline/sklearn.json")) {
            JsonNode fixture = Messages.mapper().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            fixture.get("cases").forEach(cases::add);
            return cases;
        }
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void outOfFoldProbabilitiesAreScikitLearns(JsonNode fixture) throws IOException {
        double eps = tolerance();
        int classes = fixture.get("classes").asInt();
        int[] labels = ints(fixture.get("labels"));

        LinearProbe.Result result = new LinearProbe(1.0, eps).crossValidate(features(fixture.get("features")),
                labels, classes, ints(fixture.get("fold")), fixture.get("folds").asInt());

        JsonNode expected = fixture.get("probabilities");
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < classes; k++) {
                assertThat(result.outOfFoldProbabilities()[i][k]).as("row %d class %d", i, k)
                        .isCloseTo(expected.get(i).get(k).asDouble(), within(PROBABILITY_TOLERANCE));
            }
        }
        double[] accuracies = new double[fixture.get("foldAccuracies").size()];
        Arrays.setAll(accuracies, f -> fixture.get("foldAccuracies").get(f).asDouble());
        assertThat(result.foldAccuracies()).containsExactly(accuracies);
        assertThat(Arrays.stream(result.confusion()).flatMapToInt(Arrays::stream).sum()).isEqualTo(labels.length);
        for (int k = 0; k < classes; k++) {
            int label = k;
            assertThat(Arrays.stream(result.confusion()[k]).sum())
                    .isEqualTo((int) Arrays.stream(labels).filter(l -> l == label).count());
        }
    }

    @Test
    void foldsHoldEveryClassInProportion() {
        int[] labels = IntStream.range(0, 103).map(i -> i < 50 ? 0 : i < 90 ? 1 : 2).toArray();

        int[] fold = LinearProbe.stratifiedFolds(labels, 3, 5, 7);

        for (int f = 0; f < 5; f++) {
            int[] perClass = new int[3];
            for (int i = 0; i < labels.length; i++) {
                perClass[labels[i]] += fold[i] == f ? 1 : 0;
            }
            assertThat(perClass[0]).isEqualTo(10);
            assertThat(perClass[1]).isEqualTo(8);
            assertThat(perClass[2]).isBetween(2, 3);
        }
        assertThat(LinearProbe.stratifiedFolds(labels, 3, 5, 7)).isEqualTo(fold);
        assertThat(LinearProbe.stratifiedFolds(labels, 3, 5, 8)).isNotEqualTo(fold);
    }

    private static double tolerance() throws IOException {
        try (InputStream in = LinearProbeTest.class.getResourceAsStream("/baseline/sklearn.json")) {
            return Messages.mapper().readTree(in).get("tolerance").asDouble();
        }
    }

    private static float[][] features(JsonNode rows) {
        float[][] features = new float[rows.size()][];
        for (int i = 0; i < features.length; i++) {
            JsonNode row = rows.get(i);
            features[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                features[i][j] = (float) row.get(j).asDouble();
            }
        }
        return features;
    }

    private static int[] ints(JsonNode values) {
        int[] ints = new int[values.size()];
        Arrays.setAll(ints, i -> values.get(i).asInt());
        return ints;
    }
}
