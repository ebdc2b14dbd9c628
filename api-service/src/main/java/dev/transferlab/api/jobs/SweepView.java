package dev.transferlab.api.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.SearchDimension;
import dev.transferlab.common.messages.SweepMetric;
import dev.transferlab.common.messages.SweepStrategy;
import dev.transferlab.common.messages.SweepTrial;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /v1/sweeps/{id}} answers: the sweep as its events describe it.
 *
 * @param trials    every finished trial, by trial number, with its hyperparameters and validation metrics
 * @param best      of the trials that trained to the end, the best so far; once completed, the one stored as
 *                  {@code modelId}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepView(String id, String tenant, JobState state, String phase, String dataset, String datasetId,
                        Hyperparameters base, Map<String, SearchDimension> space, SweepStrategy strategy,
                        int maxTrials, SweepMetric metric, Instant submittedAt, Instant updatedAt,
                        ExtractionProgress extraction, List<SweepTrial> trials, SweepTrial best, String modelId,
                        String reason, boolean cancelRequested, Map<String, String> links) {

    static SweepView of(JobView job) {
        String self = "/v1/sweeps/" + job.id();
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", self);
        links.put("events", self + "/events");
        if (job.modelId() != null) {
            links.put("model", "/v1/models/" + job.modelId());
        }
        SweepMetric metric = job.sweep().metricOrDefault();
        List<SweepTrial> trials = job.trials().stream().sorted(Comparator.comparingInt(SweepTrial::trial)).toList();
        // Among the trials that trained to the end, as the sweep's model is: a pruned one stopped short of that.
        Optional<SweepTrial> best = trials.stream().filter(t -> !t.pruned())
                .reduce((a, b) -> metric.better(b.score(), a.score()) ? b : a);
        return new SweepView(job.id(), job.tenant(), job.state(), job.phase(), job.dataset(), job.datasetId(),
                job.sweep().base(), job.sweep().space(), job.sweep().strategy(), job.sweep().maxTrials(), metric,
                job.submittedAt(), job.updatedAt(), job.extraction(), trials, best.orElse(null), job.modelId(),
                job.reason(), job.cancelRequested(), links);
    }
}
