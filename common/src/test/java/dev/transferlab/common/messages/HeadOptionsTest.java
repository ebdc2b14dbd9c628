package dev.transferlab.common.messages;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The head options of {@link Hyperparameters}: their JSON, their ranges, and class weights against a dataset. */
class HeadOptionsTest {

    static final String ALL_JSON = "{\"epochs\":10,\"batchSize\":400,\"learningRate\":0.001,\"hiddenUnits\":500,"
            + "\"validationFraction\":0.2,\"seed\":0,\"earlyStoppingPatience\":null,\"testFraction\":null,"
            + "\"classWeights\":{\"cat\":1.0,\"dog\":2.5},\"weightDecay\":0.01,\"dropout\":0.2,\"labelSmoothing\":0.1,"
            + "\"lrSchedule\":\"step\",\"lrStepSize\":3,\"lrGamma\":0.5,\"warmupEpochs\":2}";

    @Test
    void optionsOffAreLeftOutOfTheJsonAndAbsentOnesReadAsOff() throws Exception {
        String json = Messages.toJson(Hyperparameters.defaults());

        assertThat(json).isEqualTo("{\"epochs\":10,\"batchSize\":400,\"learningRate\":0.001,\"hiddenUnits\":500,"
                + "\"validationFraction\":0.2,\"seed\":0,\"earlyStoppingPatience\":null,\"testFraction\":null}");
        assertThat(Messages.mapper().readValue(json, Hyperparameters.class)).isEqualTo(Hyperparameters.defaults());
    }

    @Test
    void everyOptionRoundTripsAndClassWeightsAreAStringOrAnObject() throws Exception {
        Hyperparameters all = Messages.mapper().readValue(ALL_JSON, Hyperparameters.class);

        assertThat(all.classWeights()).isEqualTo(ClassWeights.of(Map.of("cat", 1.0, "dog", 2.5)));
        assertThat(all.requireInRange("hyperparameters")).isSameAs(all);
        assertThat(Messages.toJson(all)).isEqualTo(ALL_JSON);
        Hyperparameters balanced = Messages.mapper().readValue(ALL_JSON.replace("{\"cat\":1.0,\"dog\":2.5}",
                "\"balanced\""), Hyperparameters.class);
        assertThat(balanced.classWeights().isBalanced()).isTrue();
        assertThat(Messages.toJson(balanced)).contains("\"classWeights\":\"balanced\"");
        assertThatThrownBy(() -> Messages.mapper().readValue(ALL_JSON.replace("2.5}", "\"x\"}"),
                Hyperparameters.class)).hasMessageContaining("the weight of class 'dog' must be a number");
    }

    @Test
    void eachOptionOutOfRangeIsNamed() {
        assertThat(field(options(ClassWeights.of(Map.of()), null, null, null, null, null, null, null)))
                .isEqualTo("h.classWeights");
        assertThat(field(options(new ClassWeights("balance", null), null, null, null, null, null, null, null)))
                .isEqualTo("h.classWeights");
        assertThat(field(options(ClassWeights.of(Map.of("cat", 0.0)), null, null, null, null, null, null, null)))
                .isEqualTo("h.classWeights.cat");
        assertThat(field(options(null, -0.1, null, null, null, null, null, null))).isEqualTo("h.weightDecay");
        assertThat(field(options(null, null, 1.0, null, null, null, null, null))).isEqualTo("h.dropout");
        assertThat(field(options(null, null, null, 1.5, null, null, null, null))).isEqualTo("h.labelSmoothing");
        assertThat(field(options(null, null, null, null, "linear", null, null, null))).isEqualTo("h.lrSchedule");
        assertThat(field(options(null, null, null, null, "step", null, null, null))).isEqualTo("h.lrStepSize");
        assertThat(field(options(null, null, null, null, "step", 0, null, null))).isEqualTo("h.lrStepSize");
        assertThat(field(options(null, null, null, null, "cosine", 2, null, null))).isEqualTo("h.lrStepSize");
        assertThat(field(options(null, null, null, null, "step", 2, 1.5, null))).isEqualTo("h.lrGamma");
        assertThat(field(options(null, null, null, null, null, null, 0.5, null))).isEqualTo("h.lrGamma");
        assertThat(field(options(null, null, null, null, null, null, null, 10))).isEqualTo("h.warmupEpochs");
        assertThatThrownBy(() -> options(null, null, null, null, "linear", null, null, null).requireInRange(""))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("lrSchedule"))
                .hasMessage("lrSchedule must be 'step' or 'cosine', got 'linear'");
        assertThat(options(ClassWeights.balanced(), 0.0, 0.0, 0.0, "cosine", null, null, 9).requireInRange("h"))
                .isNotNull();
    }

    @Test
    void classWeightsResolveInTheDatasetsClassOrder() {
        List<String> classes = List.of("cat", "dog", "fox");

        // scikit-learn: compute_class_weight("balanced", classes=[0, 1, 2], y=[0]*6 + [1]*3 + [2]*1)
        assertThat(ClassWeights.balanced().resolve(classes, new int[] {0, 1, 0, 0, 2, 0, 1, 0, 1, 0}))
                .containsExactly(10.0 / 18, 10.0 / 9, 10.0 / 3);
        assertThat(ClassWeights.of(Map.of("fox", 3.0, "cat", 1.0, "dog", 2.0)).resolve(classes, new int[] {0, 1, 2}))
                .containsExactly(1.0, 2.0, 3.0);
        assertThatThrownBy(() -> ClassWeights.of(Map.of("cat", 1.0, "dog", 2.0)).resolve(classes, new int[] {0, 1, 2}))
                .hasMessage("classWeights must give a weight to each of the dataset's classes [cat, dog, fox] and to"
                        + " no other; without a weight: [fox]");
    }

    private static Hyperparameters options(ClassWeights classWeights, Double weightDecay, Double dropout,
            Double labelSmoothing, String lrSchedule, Integer lrStepSize, Double lrGamma, Integer warmupEpochs) {
        return new Hyperparameters(10, 400, 1e-3, 500, 0.2, 0, null, null, classWeights, weightDecay, dropout,
                labelSmoothing, lrSchedule, lrStepSize, lrGamma, warmupEpochs);
    }

    private static String field(Hyperparameters hp) {
        try {
            hp.requireInRange("h");
        } catch (InvalidFieldException e) {
            return e.field();
        }
        return null;
    }
}
