package dev.transferlab.worker.messaging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerRolesTest {

    @Test
    void aWorkerWithNoRoleIsRefusedWithTheSettingsNamed() {
        assertThatThrownBy(() -> WorkerRoles.describe(false, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transferlab.worker.training").hasMessageContaining("transferlab.worker.inference");
    }

    @Test
    void theRolesAreSaid() {
        assertThat(WorkerRoles.describe(true, true)).isEqualTo("worker roles: training on, inference on");
        assertThat(WorkerRoles.describe(true, false)).startsWith("worker roles: training on, inference off;");
        assertThat(WorkerRoles.describe(false, true)).startsWith("worker roles: training off, inference on;");
    }
}
