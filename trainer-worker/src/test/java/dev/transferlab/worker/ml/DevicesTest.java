package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DevicesTest {

    @Test
    void cpuIsAlwaysAvailable() {
        assertThat(Devices.select("cpu")).isEqualTo(Device.cpu());
        assertThat(Devices.select(" CPU ")).isEqualTo(Device.cpu());
    }

    @Test
    void autoFollowsWhatTheEngineSees() {
        Device expected = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        assertThat(Devices.select("auto")).isEqualTo(expected);
    }

    @Test
    void gpuWithoutAGpuFailsClearly() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        assertThatThrownBy(() -> Devices.select("cuda"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees 0 GPU");
    }

    @Test
    void unknownPreferenceIsRefused() {
        assertThatThrownBy(() -> Devices.select("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tpu");
    }
}
