package dev.transferlab.api.jobs;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /v1/models/{id}/batch-predictions}: give exactly one of {@code dataset} and
 * {@code datasetId}, as for a training job.
 *
 * @param dataset   a location the tenant may read ({@code s3://bucket/prefix/}, or a prefix in the platform bucket)
 *                  holding an ImageFolder tree or a flat folder of images
 * @param datasetId a dataset uploaded or registered through {@code /v1/datasets}
 */
public record BatchPredictionSubmission(
        @Size(max = 1024) @Pattern(regexp = "^(?!.*\\.\\.).*$", message = "must not contain '..'") String dataset,
        @Pattern(regexp = "ds-[a-z0-9]{1,40}", message = "must be a dataset id such as ds-3f2a…") String datasetId) {
}
