package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;

/**
 * What a running job reports for monitoring, from the same per-epoch hook and progress callback its events come
 * from. Called on the job's thread; the messaging layer records it as Micrometer meters, and this package stays free
 * of them.
 */
public interface JobMetrics {
    JobMetrics NONE = new JobMetrics() {
    };

    /** One epoch of head training ended (its wall time is {@link EpochMetrics#seconds()}). */
    default void epochCompleted(EpochMetrics metrics) {
    }

    /** Feature extraction through the backbone ended (not called on a feature-cache hit). */
    default void extractionFinished(ExtractionProgress progress) {
    }
}
