package dev.transferlab.api.jobs;

import dev.transferlab.api.datasets.DatasetManifests;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.util.UUID;

/** Submitting a job: an "accepted" event, then the command for the workers, both keyed by the job id. */
@ApplicationScoped
public class TrainingJobs {

    @Inject
    @Channel("training-requests")
    MutinyEmitter<Record<String, String>> requests;

    @Inject
    @Channel("training-events-out")
    MutinyEmitter<Record<String, String>> events;

    @Inject
    JobProjection projection;

    @Inject
    DatasetManifests datasets;

    public Uni<JobView> submit(TrainingJobSubmission submission, String tenant) {
        String jobId = "job-" + UUID.randomUUID();
        TrainingRequest request = TrainingRequest.of(jobId, tenant, location(submission, tenant),
                submission.datasetId(), submission.backboneSpec(), submission.hyperparameters());
        TrainingEvent accepted = TrainingEvent.builder(jobId, tenant, 0, TrainingEventType.ACCEPTED)
                .request(request).message("queued for a worker").build();
        // The accepted event goes first so that no reader sees a worker's events before it.
        return events.send(Record.of(jobId, Messages.toJson(accepted)))
                .chain(() -> requests.send(Record.of(jobId, Messages.toJson(request))))
                .invoke(() -> projection.apply(accepted))
                .map(ignored -> projection.view(jobId).orElseThrow());
    }

    /** A dataset id stands for its manifest's location, so workers read one kind of reference. */
    private String location(TrainingJobSubmission submission, String tenant) {
        boolean byLocation = submission.dataset() != null && !submission.dataset().isBlank();
        if (!byLocation && submission.datasetId() == null) {
            throw ProblemException.badField(400, "Bad Request", "dataset",
                    "must be given (a location), or else datasetId");
        }
        if (byLocation && submission.datasetId() != null) {
            throw ProblemException.badField(400, "Bad Request", "datasetId", "cannot be given together with dataset");
        }
        if (byLocation) {
            return submission.dataset();
        }
        return datasets.find(tenant, submission.datasetId()).map(DatasetManifest::location)
                .orElseThrow(() -> ProblemException.badField(422, "Unprocessable Content", "datasetId",
                        "names no dataset of tenant '" + tenant + "'"));
    }
}
