package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
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
    void precisionIsFp32OrFp16() {
        assertThat(Devices.precision("fp32")).isEqualTo(DataType.FLOAT32);
        assertThat(Devices.precision(" FP16 ")).isEqualTo(DataType.FLOAT16);
    }

    @Test
    void bf16IsRefusedBeforeItCouldAbortTheProcess() {
        assertThatThrownBy(() -> Devices.precision("bf16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bfloat16").hasMessageContaining("use fp16 or fp32");
        assertThatThrownBy(() -> Devices.precision("half")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'half'");
    }

    @Test
    void unknownPreferenceIsRefused() {
        assertThatThrownBy(() -> Devices.select("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tpu");
    }
}
