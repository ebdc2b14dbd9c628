package dev.transferlab.worker.jobs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureSettingsTest {

    @Test
    void aNumberPinsTheBatchSizeAndAutoLeavesItToTheCalibration() {
        assertThat(FeatureSettings.pinnedBatchSize("8")).hasValue(8);
        assertThat(FeatureSettings.pinnedBatchSize(" 64 ")).hasValue(64);
        assertThat(FeatureSettings.pinnedBatchSize("auto")).isEqualTo(OptionalInt.empty());
        assertThat(FeatureSettings.pinnedBatchSize(" AUTO ")).isEqualTo(OptionalInt.empty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "fast", "", "8.5", "99999999999"})
    void anythingElseIsRefusedNamingTheProperty(String setting) {
        assertThatThrownBy(() -> FeatureSettings.pinnedBatchSize(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transferlab.features.batch-size").hasMessageContaining("'" + setting + "'");
    }
}
