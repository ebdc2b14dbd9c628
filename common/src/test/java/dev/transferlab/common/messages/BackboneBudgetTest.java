package dev.transferlab.common.messages;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BackboneBudgetTest {
    private static final BackboneBudget BUDGET = new BackboneBudget(32_000_000, 12e9);
    private static final int SIDE = 224;

    private static BackboneSpec denseNet(int growth, List<Integer> blocks, int init, int bnSize) {
        return new BackboneSpec(BackboneSpec.DENSENET, growth, blocks, init, bnSize);
    }

    @Test
    void densenet121CountsTorchvisionsParametersLessItsImageNetClassifier() {
        BackboneBudget.Cost cost = BackboneBudget.cost(BackboneSpec.densenet121(), SIDE);
        int features = BackboneSpec.densenet121().featureSize();
        double classifier = features * 1000.0 + 1000;

        // torchvision.models.densenet121(): sum(p.numel() for p in model.parameters()) == 7,978,856
        assertThat(cost.parameters()).isEqualTo(6_953_856);
        assertThat(cost.parameters() + classifier).isEqualTo(7_978_856);
        // torchvision's model card: 2.83 GFLOPS (multiply-adds of one 224x224 image, classifier included)
        assertThat((cost.flops() + features * 1000.0) / 1e9).isCloseTo(2.83, within(0.01));
    }

    @Test
    void theOtherTorchvisionDenseNetsMatchTheirModelCardsAndFitTheDefaultBudget() {
        BackboneSpec d169 = denseNet(32, List.of(6, 12, 32, 32), 64, 4);
        BackboneSpec d201 = denseNet(32, List.of(6, 12, 48, 32), 64, 4);
        BackboneSpec d161 = denseNet(48, List.of(6, 12, 36, 24), 96, 4);

        assertThat(withClassifier(d169)).isEqualTo(14_149_480);
        assertThat(withClassifier(d201)).isEqualTo(20_013_928);
        assertThat(withClassifier(d161)).isEqualTo(28_681_000);
        assertThat(BackboneBudget.cost(d201, SIDE).flops() / 1e9).isCloseTo(4.29, within(0.02));
        for (BackboneSpec spec : List.of(BackboneSpec.densenet121(), d169, d201, d161)) {
            assertThatCode(() -> BUDGET.check(spec, SIDE)).doesNotThrowAnyException();
        }
    }

    private static double withClassifier(BackboneSpec spec) {
        return BackboneBudget.cost(spec, SIDE).parameters() + spec.featureSize() * 1000.0 + 1000;
    }

    @Test
    void aBackboneOfBillionsOfParametersIsRefusedBeforeAnythingIsBuilt() {
        BackboneSpec hostile = denseNet(128, List.of(64, 64, 64, 64, 64), 256, 8);

        assertThat(BackboneBudget.cost(hostile, SIDE).parameters()).isGreaterThan(1e9);
        assertThatThrownBy(() -> BUDGET.check(hostile, SIDE))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("backbone"))
                .hasMessageContaining("parameters; at most 32,000,000 are allowed");
    }

    @Test
    void aBackboneUnderTheParameterBudgetButOverTheComputeBudgetIsRefused() {
        // Few, wide early layers: few parameters, but each runs on the 56x56 feature map.
        BackboneSpec wideEarly = denseNet(64, List.of(24), 64, 4);

        assertThat(BackboneBudget.cost(wideEarly, SIDE).parameters()).isLessThan(32e6);
        assertThatThrownBy(() -> BUDGET.check(wideEarly, SIDE)).hasMessageContaining("GFLOPs per image");
    }

    @Test
    void kafkaSizedKnobsNeitherOverflowNorTakeLong() {
        BackboneSpec huge = denseNet(Integer.MAX_VALUE, List.of(Integer.MAX_VALUE), Integer.MAX_VALUE,
                Integer.MAX_VALUE);

        BackboneBudget.Cost cost = BackboneBudget.cost(huge, SIDE);

        assertThat(cost.parameters()).isGreaterThan(1e40).isFinite();
        assertThatThrownBy(() -> BUDGET.check(huge, SIDE)).isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void knobsOutOfRangeAreNamed() {
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(0, List.of(1), 1, 1), SIDE))
                .hasMessage("backbone.growthRate must be at least 1, got 0");
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(1, Arrays.asList(2, null), 1, 1), SIDE))
                .isInstanceOfSatisfying(InvalidFieldException.class,
                        e -> assertThat(e.field()).isEqualTo("backbone.blockConfig[1]"))
                .hasMessage("backbone.blockConfig[1] must not be null");
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(1, List.of(1, -3), 1, 1), SIDE))
                .hasMessage("backbone.blockConfig[1] must be at least 1, got -3");
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(1, List.of(), 1, 1), SIDE))
                .hasMessage("backbone.blockConfig must list at least one block");
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(1, null, 1, 1), SIDE))
                .hasMessage("backbone.blockConfig must list at least one block");
    }

    @Test
    void moreBlocksThanTheImageHasRoomForAreRefused() {
        // 224 -> 56 after the stem, then 28, 14, 7, 3, 1: a seventh block would see a 0x0 map.
        assertThatCode(() -> BackboneBudget.cost(denseNet(1, List.of(1, 1, 1, 1, 1, 1), 2, 1), SIDE))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> BackboneBudget.cost(denseNet(1, List.of(1, 1, 1, 1, 1, 1, 1), 2, 1), SIDE))
                .hasMessageContaining("leaves no feature map for block 7");
    }

    @Test
    void aTorchScriptBackboneIsJudgedByItsModuleNotByKnobs() {
        assertThatCode(() -> BUDGET.check(BackboneSpec.torchScript("s3://b/m.pt", null), SIDE))
                .doesNotThrowAnyException();
    }
}
