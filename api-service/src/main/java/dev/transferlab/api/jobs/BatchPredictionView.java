package dev.transferlab.api.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.messages.ExtractionProgress;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code GET /v1/batch-predictions/{id}} answers: the job as its events describe it, and where to follow and
 * download it.
 *
 * @param progress images predicted so far ({@code skipped}: those that got an error line), with rate and ETA
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchPredictionView(String id, String tenant, JobState state, String phase, String modelId,
                                  String dataset, String datasetId, Instant submittedAt, Instant updatedAt,
                                  ExtractionProgress progress, String reason, boolean cancelRequested,
                                  Map<String, String> links) {

    static BatchPredictionView of(JobView job) {
        String self = "/v1/batch-predictions/" + job.id();
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", self);
        links.put("events", self + "/events");
        if (job.state() == JobState.COMPLETED) {
            links.put("results.jsonl", self + "/results.jsonl");
            links.put("results.csv", self + "/results.csv");
        }
        return new BatchPredictionView(job.id(), job.tenant(), job.state(), job.phase(),
                job.batchPrediction().modelId(), job.dataset(), job.datasetId(), job.submittedAt(), job.updatedAt(),
                job.extraction(), job.reason(), job.cancelRequested(), links);
    }
}
