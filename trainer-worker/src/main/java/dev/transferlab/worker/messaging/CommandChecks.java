package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneBudget;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InvalidFieldException;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.StorageLayout;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Commands that parse but lack what a worker needs, or carry what it must not act on (an id that is no id, a knob out
 * of range, a backbone over the budget), are malformed too: they go to the dead-letter topic with a reason that names
 * the field. Kafka readers ignore unknown fields (a newer sender of the same schema version), so these checks, not
 * the parser, are what stands between a hostile record and the worker.
 */
final class CommandChecks {
    private static final Set<String> BACKBONES = Set.of(BackboneSpec.DENSENET121, BackboneSpec.DENSENET,
            BackboneSpec.TORCHSCRIPT);
    private static final int MIN_RESIZE = 224;
    private static final int MAX_RESIZE = 1024;

    private CommandChecks() {
    }

    static TrainingRequest valid(TrainingRequest r, BackboneBudget budget) {
        return checked(() -> {
            id(r.jobId(), "jobId");
            id(r.tenant(), "tenant");
            require(r.dataset(), "dataset");
            if (r.datasetId() != null) {
                Ids.require("datasetId", r.datasetId());
            }
            require(r.backbone(), "backbone");
            require(r.hyperparameters(), "hyperparameters").requireInRange("hyperparameters");
            PreprocessingSpec preprocessing = r.preprocessingOrDefault();
            preprocessing(preprocessing);
            backbone(r.backbone(), budget, preprocessing.crop());
            return r;
        });
    }

    /**
     * A valid command read from {@code topic} may act for its tenant only when the topic says who wrote it: the
     * api-service's topic speaks for every tenant (the api-service authenticated the user), a tenant's own topic
     * ({@link Topics#tenantTrainingRequests}, which the broker lets only that tenant's principal write) for that
     * tenant alone.
     */
    static TrainingRequest fromTopic(TrainingRequest r, String topic) {
        if (topic.equals(Topics.TRAINING_REQUESTS)) {
            return r;
        }
        String writer = Topics.tenantOfTrainingRequests(topic).orElseThrow(() -> new MalformedMessageException(
                "training commands are read from " + Topics.TRAINING_REQUESTS + " and the tenants' own topics, not "
                        + topic, null));
        if (!writer.equals(r.tenant())) {
            throw new MalformedMessageException("a command for tenant '" + r.tenant() + "' arrived on " + topic
                    + ", which only tenant '" + writer + "' may write to; a tenant's producer sends its own tenant's "
                    + "commands to its own topic", null);
        }
        return r;
    }

    static InferenceRequest valid(InferenceRequest r) {
        return checked(() -> {
            id(r.requestId(), "requestId");
            id(r.tenant(), "tenant");
            id(r.modelId(), "modelId");
            if (r.imageKey() == null) {
                require(r.image(), "image");
            } else if (r.image() != null) {
                throw new InvalidFieldException("imageKey", "is set beside an inline image; send one of them");
            } else if (!r.imageKey().equals(StorageLayout.inferencePayload(r.tenant(), r.requestId()))) {
                // Only the request's own payload: a key of the writer's choosing would read any object as an image.
                throw new InvalidFieldException("imageKey", "must be "
                        + StorageLayout.inferencePayload(r.tenant(), r.requestId()));
            }
            return r;
        });
    }

    static BatchPredictionRequest valid(BatchPredictionRequest r) {
        return checked(() -> {
            id(r.jobId(), "jobId");
            id(r.tenant(), "tenant");
            id(r.modelId(), "modelId");
            require(r.input(), "input");
            if (r.datasetId() != null) {
                Ids.require("datasetId", r.datasetId());
            }
            return r;
        });
    }

    static CancelRequest valid(CancelRequest r) {
        return checked(() -> {
            id(r.jobId(), "jobId");
            id(r.tenant(), "tenant");
            return r;
        });
    }

    private static void backbone(BackboneSpec spec, BackboneBudget budget, int inputSide) {
        if (!BACKBONES.contains(require(spec.name(), "backbone.name"))) {
            throw new InvalidFieldException("backbone.name", "must be one of " + BACKBONES);
        }
        if (spec.isTorchScript()) {
            require(spec.weights(), "backbone.weights");
        } else {
            budget.check(spec, inputSide);
        }
    }

    private static void preprocessing(PreprocessingSpec p) {
        if (p.resize() < MIN_RESIZE || p.resize() > MAX_RESIZE) {
            throw new InvalidFieldException("preprocessing.resize", "must be between " + MIN_RESIZE + " and "
                    + MAX_RESIZE + ", got " + p.resize());
        }
        if (p.crop() < 1 || p.crop() > p.resize()) {
            throw new InvalidFieldException("preprocessing.crop", "must be between 1 and the resize ("
                    + p.resize() + "), got " + p.crop());
        }
        channels(p.mean(), "preprocessing.mean");
        channels(p.std(), "preprocessing.std");
    }

    private static void channels(List<Double> values, String field) {
        if (require(values, field).size() != 3) {
            throw new InvalidFieldException(field, "must hold 3 values (R, G, B), got " + values.size());
        }
        for (int i = 0; i < 3; i++) {
            require(values.get(i), field + "[" + i + "]");
        }
    }

    private static void id(String value, String field) {
        Ids.require(field, require(value, field));
    }

    private static <T> T require(T value, String field) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new MalformedMessageException("missing field '" + field + "'", null);
        }
        return value;
    }

    private static <T> T checked(Supplier<T> checks) {
        try {
            return checks.get();
        } catch (InvalidFieldException e) {
            throw new MalformedMessageException(e.getMessage(), e);
        }
    }
}
