package dev.transferlab.common.messages;

import dev.transferlab.common.model.PreprocessingSpec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepPlanTest {

    private static SweepRequest sweep(Map<String, SearchDimension> space, SweepStrategy strategy, int maxTrials) {
        return SweepRequest.of("sweep-1", "acme", "s3://b/d/", null, BackboneSpec.densenet121(),
                PreprocessingSpec.imagenet(), Hyperparameters.defaults(), space, strategy, maxTrials,
                SweepMetric.VALIDATION_ACCURACY);
    }

    private static Map<String, SearchDimension> space(Object... fieldsAndDimensions) {
        Map<String, SearchDimension> space = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndDimensions.length; i += 2) {
            space.put((String) fieldsAndDimensions[i], (SearchDimension) fieldsAndDimensions[i + 1]);
        }
        return space;
    }

    @Test
    void aGridTriesEveryCombinationInTheOrderTheSpaceNamesItsFields() {
        List<Hyperparameters> trials = SweepPlan.trials(sweep(space(
                "hiddenUnits", SearchDimension.of(100, 200),
                "learningRate", SearchDimension.logRange(1e-4, 1e-2).withSteps(3)), SweepStrategy.grid(), 6));

        assertThat(trials).extracting(Hyperparameters::hiddenUnits).containsExactly(100, 100, 100, 200, 200, 200);
        // Evenly spaced in log space: a decade apart.
        assertThat(trials).extracting(Hyperparameters::learningRate)
                .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-12 ? 0 : Double.compare(a, b))
                .containsExactly(1e-4, 1e-3, 1e-2, 1e-4, 1e-3, 1e-2);
        assertThat(trials).allMatch(t -> t.epochs() == Hyperparameters.DEFAULT_EPOCHS && t.batchSize() == 400);
    }

    @Test
    void randomDrawsAreReproducibleFromTheSeedAndStayInTheirRanges() {
        SweepRequest request = sweep(space("learningRate", SearchDimension.logRange(1e-4, 1e-1),
                "hiddenUnits", SearchDimension.range(16, 64), "batchSize", SearchDimension.of(32, 64)),
                SweepStrategy.random(7), 50);

        List<Hyperparameters> trials = SweepPlan.trials(request);

        assertThat(trials).hasSize(50).isEqualTo(SweepPlan.trials(request));
        assertThat(trials).isNotEqualTo(SweepPlan.trials(sweep(request.space(), SweepStrategy.random(8), 50)));
        assertThat(trials).allMatch(t -> t.learningRate() >= 1e-4 && t.learningRate() <= 1e-1
                && t.hiddenUnits() >= 16 && t.hiddenUnits() <= 64 && (t.batchSize() == 32 || t.batchSize() == 64));
        // Log-uniform: about a third of the draws fall in each decade.
        assertThat(trials.stream().filter(t -> t.learningRate() < 1e-3).count()).isBetween(8L, 26L);
        assertThat(trials.stream().map(Hyperparameters::hiddenUnits).distinct().count()).isGreaterThan(10);
    }

    @Test
    void aNullableFieldIsSearchedByItsJsonNameAsAnyOther() {
        List<Hyperparameters> trials = SweepPlan.trials(sweep(space("earlyStoppingPatience",
                SearchDimension.range(2, 3).asIntegers().withSteps(2)), SweepStrategy.grid(), 2));

        assertThat(trials).extracting(Hyperparameters::earlyStoppingPatience).containsExactly(2, 3);
    }

    @Test
    void successiveHalvingRanksAtRungsThatGrowByTheReductionFactorUpToTheBaseEpochs() {
        SweepRequest request = sweep(space("learningRate", SearchDimension.logRange(1e-4, 1e-1)),
                SweepStrategy.successiveHalving(1, 1, 3), 27);

        assertThat(SweepPlan.rungs(request)).containsExactly(1, 3, 9, 10);
        assertThat(SweepPlan.survivors(request, 27)).isEqualTo(9);
        assertThat(SweepPlan.survivors(request, 2)).isEqualTo(1);
        assertThat(SweepPlan.rungs(sweep(request.space(), SweepStrategy.random(1), 3))).containsExactly(10);
    }

    @Test
    void badSpacesNameTheFieldToChangeAndWhy() {
        SearchDimension lr = SearchDimension.logRange(1e-4, 1e-1);
        assertRefused(sweep(space("learnignRate", lr), SweepStrategy.random(0), 5), "space.learnignRate",
                "is no hyperparameter; the searchable ones are", "learningRate");
        assertRefused(sweep(space("hiddenUnits", SearchDimension.of()), SweepStrategy.random(0), 5),
                "space.hiddenUnits.values", "between 1 and");
        assertRefused(sweep(space("learningRate", SearchDimension.range(0.1, 0.01)), SweepStrategy.random(0), 5),
                "space.learningRate", "min <= max");
        assertRefused(sweep(space("learningRate", SearchDimension.logRange(0, 0.1)), SweepStrategy.random(0), 5),
                "space.learningRate.min", "above 0");
        assertRefused(sweep(space("learningRate", lr), SweepStrategy.grid(), 5), "space.learningRate.steps",
                "for a grid");
        assertRefused(sweep(space("hiddenUnits", SearchDimension.of(1, 2, 3), "batchSize", SearchDimension.of(1, 2)),
                SweepStrategy.grid(), 5), "maxTrials", "fewer than the grid's 6 trials");
        assertRefused(sweep(space("learningRate", SearchDimension.of(1e-3, 20.0)), SweepStrategy.grid(), 5),
                "space.learningRate", "gives trial 1", "must be above 0 and at most 10.0, got 20.0");
        assertRefused(sweep(space("hiddenUnits", SearchDimension.of("many")), SweepStrategy.grid(), 5),
                "space.hiddenUnits.values[0]", "is not a value hiddenUnits can take");
        assertRefused(sweep(space("validationFraction", SearchDimension.of(0.1, 0.2)), SweepStrategy.grid(), 5),
                "space.validationFraction", "same images");
        assertRefused(sweep(space("epochs", SearchDimension.of(3, 9)), SweepStrategy.successiveHalving(0, 1, 3), 5),
                "space.epochs", "successive halving");
        assertRefused(sweep(space("learningRate", lr), SweepStrategy.successiveHalving(0, 11, 3), 5),
                "strategy.minEpochs", "between 1 and the base's epochs (10)");
        assertRefused(sweep(space("learningRate", lr), SweepStrategy.successiveHalving(0, 1, 1), 5),
                "strategy.reductionFactor", "between 2 and 100");
        assertRefused(sweep(space(), SweepStrategy.random(0), 5), "space", "at least one field");
        assertRefused(sweep(space("learningRate", lr), SweepStrategy.random(0), 0), "maxTrials", "between 1 and");
    }

    @Test
    void aSweepRequestRoundTripsThroughJsonWithItsSpaceInOrder() {
        SweepRequest request = sweep(space("learningRate", SearchDimension.logRange(1e-4, 1e-1),
                "hiddenUnits", SearchDimension.of(100, 200)), SweepStrategy.successiveHalving(3, 1, 3), 9);
        String json = Messages.toJson(request);

        SweepRequest back = Messages.fromJson(json, SweepRequest.class);

        assertThat(json).contains("\"type\":\"successive-halving\"", "\"metric\":\"validation-accuracy\"");
        assertThat(back.space().keySet()).containsExactly("learningRate", "hiddenUnits");
        assertThat(SweepPlan.trials(back)).isEqualTo(SweepPlan.trials(request));
    }

    private static void assertRefused(SweepRequest request, String field, String... reason) {
        assertThatThrownBy(() -> SweepPlan.trials(request)).isInstanceOfSatisfying(InvalidFieldException.class,
                e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.problem()).contains(reason);
                });
    }
}
