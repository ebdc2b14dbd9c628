package dev.transferlab.stack.bench;

import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.LearnabilityBaseline;
import dev.transferlab.common.model.ModelScores;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.stack.Stack;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A finished training job's events, in the order and with the fields the api-service (accepted, with its request)
 * and a worker (the rest: see {@code TrainingJob}) publish them for a job that trains on a dataset of 300 images in
 * 5 classes: accepted, started, the last extraction-progress, learnability-baseline, epoch-completed and checkpointed
 * for every epoch, completed with its model, artifacts and scores. The job-store benchmark's synthetic history.
 */
public final class FinishedJobs {
    static final List<String> CLASSES = List.of("cat", "dog", "fox", "owl", "ox");
    private static final int IMAGES = 300;

    private FinishedJobs() {
    }

    public static List<TrainingEvent> events(String jobId, String tenant, int epochs, Random random) {
        String datasetId = "ds-" + UUID.nameUUIDFromBytes(tenant.getBytes(StandardCharsets.UTF_8));
        Hyperparameters defaults = Hyperparameters.defaults();
        Hyperparameters hyperparameters = new Hyperparameters(epochs, defaults.batchSize(), defaults.learningRate(),
                defaults.hiddenUnits(), defaults.validationFraction(), random.nextInt(1000), null);
        TrainingRequest request = TrainingRequest.of(jobId, tenant,
                "s3://" + Stack.BUCKET + "/" + StorageLayout.datasetFiles(tenant, datasetId), datasetId,
                BackboneSpec.densenet121(), hyperparameters, PreprocessingSpec.imagenet());
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<TrainingEvent> events = new ArrayList<>();
        events.add(TrainingEvent.builder(jobId, tenant, TrainingEventType.ACCEPTED).request(request)
                .message("queued for a worker").build());
        events.add(event(jobId, tenant, run, TrainingEventType.STARTED, b -> b.message(
                "extracting features with backbone densenet121, weights from torchvision (stored at s3://"
                        + Stack.BUCKET + "/backbones/densenet121.safetensors)")));
        String cacheKey = "s3://" + Stack.BUCKET + "/features/" + tenant + "/" + datasetId + "/r255-c224-n.bin";
        events.add(event(jobId, tenant, run, TrainingEventType.EXTRACTION_PROGRESS, b -> b.extraction(
                new ExtractionProgress(IMAGES, IMAGES, 0, 11.5, 0, List.of(), cacheKey))));
        events.add(event(jobId, tenant, run, TrainingEventType.LEARNABILITY_BASELINE, b -> b.baseline(baseline(random))
                .message("a linear probe on the features reaches 91.3% (±2.1, 5-fold on 300 images; always answering "
                        + "the largest class: 20.0%): the head should reach at least that")));
        double loss = 1.6;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            loss *= 0.7 + 0.2 * random.nextDouble();
            EpochMetrics metrics = new EpochMetrics(epoch, epochs, loss, loss * 1.1, 1 - loss / 2, 2400, 0.2, 1e-3);
            events.add(event(jobId, tenant, run, TrainingEventType.EPOCH_COMPLETED, b -> b.metrics(metrics)));
            int checkpointed = epoch;
            events.add(event(jobId, tenant, run, TrainingEventType.CHECKPOINTED, b -> b.epoch(checkpointed)));
        }
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("manifest", location(StorageLayout.modelManifest(tenant, jobId)));
        artifacts.put("headWeights", location(StorageLayout.modelHeadWeights(tenant, jobId)));
        artifacts.put("metrics", location(StorageLayout.modelMetrics(tenant, jobId)));
        artifacts.put("backboneExport", location(StorageLayout.backboneExport("0".repeat(64))));
        artifacts.put("evaluation", location(StorageLayout.modelEvaluation(tenant, jobId)));
        ModelScores.EpochScores last = new ModelScores.EpochScores(epochs, loss * 1.1, 1 - loss / 2, 60, loss * 1.2,
                1 - loss / 2);
        events.add(event(jobId, tenant, run, TrainingEventType.COMPLETED, b -> b.model(jobId, artifacts, epochs)
                .scores(new ModelScores(last, last))
                .message("trained on 192 images, validated on 48, tested on 60; stored epoch " + epochs + " of "
                        + epochs)));
        return events;
    }

    private static TrainingEvent event(String jobId, String tenant, String run, TrainingEventType type,
                                       UnaryOperator<TrainingEvent.Builder> details) {
        return details.apply(TrainingEvent.builder(jobId, tenant, type).run(run)).build();
    }

    private static LearnabilityBaseline baseline(Random random) {
        int perClass = IMAGES / CLASSES.size();
        int[][] confusion = new int[CLASSES.size()][CLASSES.size()];
        for (int i = 0; i < confusion.length; i++) {
            int wrong = random.nextInt(6);
            confusion[i][i] = perClass - wrong;
            confusion[i][(i + 1) % confusion.length] = wrong;
        }
        return new LearnabilityBaseline(1, "logistic regression (L2, C=1.0, one class against the rest, liblinear "
                + "primal), 5-fold stratified cross-validation", IMAGES, 5, 0.913, 0.021,
                List.of(0.9, 0.93, 0.92, 0.89, 0.93), 0.2, CLASSES, confusion,
                List.of(new LearnabilityBaseline.ConfusedPair("cat", "dog", 5, 120, 5 / 120.0)), List.of(),
                "sha256-" + UUID.randomUUID(), "sha256-" + UUID.randomUUID(), "r255-c224-n-3f2a9c1b7e44",
                Instant.now());
    }

    private static String location(String key) {
        return "s3://" + Stack.BUCKET + "/" + key;
    }
}
