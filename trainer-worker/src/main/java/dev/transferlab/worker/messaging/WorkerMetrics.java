package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.worker.jobs.JobMetrics;
import dev.transferlab.worker.jobs.TrainingJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Locale;

/**
 * The worker's own meters, on {@code /q/metrics} (Prometheus names in brackets):
 * <ul>
 *   <li>{@code transferlab.training.epoch} [{@code transferlab_training_epoch_seconds}]: wall time of each epoch of
 *       head training;</li>
 *   <li>{@code transferlab.features.images.per.second} [{@code transferlab_features_images_per_second}]: throughput
 *       of each finished feature extraction, and {@code transferlab.features.images}
 *       [{@code transferlab_features_images_total}]: images through the backbone;</li>
 *   <li>{@code transferlab.jobs.run} [{@code transferlab_jobs_run_total}] by {@code outcome}: completed, failed,
 *       cancelled, already-done, released, not-started;</li>
 *   <li>{@code transferlab.inference} [{@code transferlab_inference_seconds}] by {@code outcome}: ok, invalid-image,
 *       model-not-found, internal; a prediction from request to result on this worker;</li>
 *   <li>{@code transferlab.inference.forward.passes} [{@code transferlab_inference_forward_passes_total}] and
 *       {@code transferlab.inference.batched.images} [{@code transferlab_inference_batched_images_total}]: dynamic
 *       batches run and the images in them (registered with the predictor, in {@code WorkerComponents}).</li>
 * </ul>
 */
@ApplicationScoped
public class WorkerMetrics implements JobMetrics {
    private final MeterRegistry registry;
    private final Timer epochs;
    private final DistributionSummary extractionRate;
    private final Counter extractedImages;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.epochs = Timer.builder("transferlab.training.epoch")
                .description("Wall time of one epoch of head training").register(registry);
        this.extractionRate = DistributionSummary.builder("transferlab.features.images.per.second")
                .description("Images per second of each finished feature extraction").register(registry);
        this.extractedImages = Counter.builder("transferlab.features.images")
                .description("Images through the backbone (features computed, not read from the cache)")
                .register(registry);
        for (TrainingJob.Outcome outcome : TrainingJob.Outcome.values()) {
            jobs(outcome);
        }
    }

    @Override
    public void epochCompleted(EpochMetrics metrics) {
        epochs.record(Duration.ofNanos(Math.round(metrics.seconds() * 1e9)));
    }

    @Override
    public void extractionFinished(ExtractionProgress progress) {
        extractionRate.record(progress.imagesPerSecond());
        extractedImages.increment(progress.done() - progress.skipped());
    }

    public void jobEnded(TrainingJob.Outcome outcome) {
        jobs(outcome).increment();
    }

    private Counter jobs(TrainingJob.Outcome outcome) {
        return Counter.builder("transferlab.jobs.run").description("Training commands this worker ended, by outcome")
                .tag("outcome", kebab(outcome.name())).register(registry);
    }

    public void inference(InferenceResult result, long startNanos) {
        String outcome = result.error() == null ? "ok" : kebab(result.error().code().name());
        Timer.builder("transferlab.inference").description("A prediction on this worker, from request to result")
                .tag("outcome", outcome).register(registry).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private static String kebab(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
