package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * How far a job's feature extraction is. Most of a job's time on a big dataset goes here, so it is reported while it
 * runs, not only when it ends.
 *
 * @param done            images finished (decoded and through the backbone, or skipped)
 * @param total           images in the dataset
 * @param skipped         images that could not be decoded; they never fail the job
 * @param imagesPerSecond throughput so far
 * @param etaSeconds      estimated seconds until done, at the throughput so far
 * @param skippedFiles    only when done == total: each skipped image and why (the first {@link #MAX_LISTED})
 * @param cacheKey        where the features are cached, once they are
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtractionProgress(int done, int total, int skipped, double imagesPerSecond, double etaSeconds,
                                 List<String> skippedFiles, String cacheKey) {

    /** Events stay small: a dataset with a million bad files lists the first of them and counts the rest. */
    public static final int MAX_LISTED = 100;

    public boolean finished() {
        return done >= total;
    }
}
