package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.stack.bench.FinishedJobs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job-store benchmark's history is what the api-service makes of real jobs: each generated job, read back from
 * its JSON, goes through the api-service's own projection rule ({@link JobViews}, package-private, hence this
 * package) to a completed job with all its epochs.
 */
class FinishedJobsProjectionTest {

    @Test
    void aGeneratedJobProjectsToACompletedJobWithTenEpochs() {
        List<TrainingEvent> events = FinishedJobs.events("job-1", "acme", 10, new Random(1));

        JobView view = null;
        for (TrainingEvent event : events) {
            view = JobViews.next(view, Messages.fromJson(Messages.toJson(event), TrainingEvent.class),
                    (view == null ? 0 : view.events()) + 1);
        }

        assertThat(events).hasSize(25).extracting(TrainingEvent::eventId).doesNotHaveDuplicates();
        assertThat(events).first().extracting(TrainingEvent::type).isEqualTo(TrainingEventType.ACCEPTED);
        assertThat(events).filteredOn(e -> e.type() == TrainingEventType.EPOCH_COMPLETED).hasSize(10);
        assertThat(view.state()).isEqualTo(JobState.COMPLETED);
        assertThat(view.tenant()).isEqualTo("acme");
        assertThat(view.latestMetrics().epoch()).isEqualTo(10);
        assertThat(view.latestMetrics().epochs()).isEqualTo(10);
        assertThat(view.modelId()).isEqualTo("job-1");
        assertThat(view.hyperparameters().epochs()).isEqualTo(10);
        assertThat(view.events()).isEqualTo(25);
    }
}
