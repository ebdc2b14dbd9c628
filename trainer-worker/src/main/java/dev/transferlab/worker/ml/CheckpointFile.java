package dev.transferlab.worker.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.Messages;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link HeadCheckpoint} as one safetensors file, so it is as safe to read as the weights (no pickle) and its tensors
 * open in any safetensors tool. Tensors: {@code head.<name>}, {@code adam.m.<name>}, {@code adam.v.<name>},
 * {@code best.<name>} for each head parameter name. Everything else is in {@code __metadata__}, whose values the
 * format restricts to strings: counts in decimal, the step of each parameter as {@code adam.step.<name>}, the
 * hyperparameters and history as the same JSON the messages use.
 */
final class CheckpointFile {

    static final String FORMAT = "transferlab.head-checkpoint.v1";
    private static final String HEAD = "head.";
    private static final String MEAN = "adam.m.";
    private static final String VARIANCE = "adam.v.";
    private static final String STEP = "adam.step.";
    private static final String BEST = "best.";
    private static final TypeReference<List<EpochMetrics>> HISTORY = new TypeReference<>() { };

    private CheckpointFile() {
    }

    static byte[] write(HeadCheckpoint checkpoint) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        checkpoint.headWeights().forEach((name, tensor) -> tensors.put(HEAD + name, tensor));
        checkpoint.optimiser().means().forEach((name, tensor) -> tensors.put(MEAN + name, tensor));
        checkpoint.optimiser().variances().forEach((name, tensor) -> tensors.put(VARIANCE + name, tensor));
        checkpoint.bestWeights().forEach((name, tensor) -> tensors.put(BEST + name, tensor));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("epoch", Integer.toString(checkpoint.epoch()));
        metadata.put("hyperparameters", Messages.toJson(checkpoint.hyperparameters()));
        metadata.put("trainingExamples", Integer.toString(checkpoint.trainingExamples()));
        metadata.put("validationExamples", Integer.toString(checkpoint.validationExamples()));
        metadata.put("history", Messages.toJson(checkpoint.history()));
        metadata.put("best.epoch", Integer.toString(checkpoint.bestEpoch()));
        // Double.toString round-trips every double exactly, NaN and infinities included.
        metadata.put("best.loss", Double.toString(checkpoint.bestLoss()));
        checkpoint.optimiser().steps().forEach((name, step) -> metadata.put(STEP + name, Long.toString(step)));
        return SafeTensors.write(tensors, metadata);
    }

    /** @throws WeightsFormatException when the bytes are not a head checkpoint, or a damaged one; it names what */
    static HeadCheckpoint read(byte[] bytes) {
        Map<String, String> metadata = SafeTensors.metadata(bytes);
        if (!FORMAT.equals(metadata.get("format"))) {
            throw new WeightsFormatException("not a head checkpoint: the file's format is "
                    + metadata.get("format") + ", expected " + FORMAT);
        }
        Map<String, Tensor> tensors = SafeTensors.read(bytes);
        try {
            Map<String, Long> steps = new LinkedHashMap<>();
            metadata.forEach((key, value) -> {
                if (key.startsWith(STEP)) {
                    steps.put(key.substring(STEP.length()), Long.parseLong(value));
                }
            });
            return new HeadCheckpoint(Integer.parseInt(required(metadata, "epoch")),
                    present(Messages.mapper().readValue(required(metadata, "hyperparameters"), Hyperparameters.class),
                            "hyperparameters"),
                    Integer.parseInt(required(metadata, "trainingExamples")),
                    Integer.parseInt(required(metadata, "validationExamples")),
                    withPrefix(tensors, HEAD),
                    new AdamState(withPrefix(tensors, MEAN), withPrefix(tensors, VARIANCE), steps),
                    history(required(metadata, "history")),
                    Integer.parseInt(required(metadata, "best.epoch")),
                    Double.parseDouble(required(metadata, "best.loss")),
                    withPrefix(tensors, BEST));
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException("corrupt head checkpoint: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            // NumberFormatException among them, and what HeadCheckpoint and AdamState refuse: values that parse but
            // do not make a checkpoint.
            throw e instanceof WeightsFormatException format ? format
                    : new WeightsFormatException("corrupt head checkpoint: " + e.getMessage());
        }
    }

    private static List<EpochMetrics> history(String json) throws JsonProcessingException {
        List<EpochMetrics> history = present(Messages.mapper().readValue(json, HISTORY), "history");
        if (history.contains(null)) {
            throw new WeightsFormatException("corrupt head checkpoint: its history has an empty entry");
        }
        return history;
    }

    private static <T> T present(T value, String key) {
        if (value == null) {
            throw new WeightsFormatException("corrupt head checkpoint: its metadata '" + key + "' is null");
        }
        return value;
    }

    private static String required(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new WeightsFormatException("corrupt head checkpoint: its metadata lacks '" + key + "'");
        }
        return value;
    }

    private static Map<String, Tensor> withPrefix(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> selected = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> {
            if (name.startsWith(prefix)) {
                selected.put(name.substring(prefix.length()), tensor);
            }
        });
        return selected;
    }
}
