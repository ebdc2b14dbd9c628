package dev.transferlab.worker.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CancellationsTest {
    @Test
    void aCancellationStopsOnlyTheJobOfTheTenantItNames() {
        Cancellations cancellations = new Cancellations();
        cancellations.cancel("globex", "job-1");

        assertThatCode(() -> cancellations.throwIfCancelled("acme", "job-1")).as("acme's job of the same id")
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> cancellations.throwIfCancelled("globex", "job-1"))
                .isInstanceOf(Cancellations.JobCancelled.class).hasMessageContaining("job-1");
    }
}
