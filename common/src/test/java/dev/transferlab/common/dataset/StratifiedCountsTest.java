package dev.transferlab.common.dataset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StratifiedCountsTest {

    @Test
    void holdsOutTheRoundedFractionButAtLeastOneAndNeverTheLastTrainingImage() {
        assertThat(StratifiedCounts.heldOut(10, 0.2)).isEqualTo(2);
        assertThat(StratifiedCounts.heldOut(3, 0.2)).isEqualTo(1);
        assertThat(StratifiedCounts.heldOut(2, 0.9)).isEqualTo(1);
        assertThat(StratifiedCounts.heldOut(1, 0.5)).isZero();
        assertThat(StratifiedCounts.heldOut(10, 0)).isZero();
    }

    @Test
    void aValidationPartAfterTheTestPartLeavesATrainingImage() {
        assertThat(StratifiedCounts.heldOutAfter(10, 2, 0.2)).isEqualTo(2);
        assertThat(StratifiedCounts.heldOutAfter(3, 1, 0.2)).isEqualTo(1);
        assertThat(StratifiedCounts.heldOutAfter(2, 1, 0.2)).isZero();
        assertThat(StratifiedCounts.heldOutAfter(10, 0, 0)).isZero();
    }
}
