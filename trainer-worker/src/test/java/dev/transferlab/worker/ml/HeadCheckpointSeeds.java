package dev.transferlab.worker.ml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the seed corpus of {@link HeadCheckpointFuzzTest}: a checkpoint as the trainer stores it, one truncated, and
 * ones whose metadata a damaged object could hold. Run with the test classpath; the argument is the corpus folder
 * (src/test/resources/dev/transferlab/worker/ml/HeadCheckpointFuzzTestInputs/anyStoredCheckpointReadsOrIsRefused):
 * {@code java -cp target/test-classes:target/classes:<the test classpath> dev.transferlab.worker.ml.HeadCheckpointSeeds
 * DIR}.
 */
final class HeadCheckpointSeeds {

    private HeadCheckpointSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Files.createDirectories(Path.of(args[0]));
        byte[] valid = HeadCheckpointTest.checkpoint().toBytes();
        Files.write(folder.resolve("valid.safetensors"), valid);
        Files.write(folder.resolve("truncated.safetensors"), Arrays.copyOf(valid, valid.length - 9));
        Map<String, Tensor> tensors = SafeTensors.read(valid);
        Map<String, String> metadata = SafeTensors.metadata(valid);
        Files.write(folder.resolve("epoch-past-the-run.safetensors"), SafeTensors.write(tensors,
                with(metadata, "epoch", "9")));
        Files.write(folder.resolve("history-not-a-list.safetensors"), SafeTensors.write(tensors,
                with(metadata, "history", "{}")));
        // A NullPointerException before the reader checked for it (HeadCheckpointTest.damagedMetadataIs...).
        Files.write(folder.resolve("history-null.safetensors"), SafeTensors.write(tensors,
                with(metadata, "history", "null")));
    }

    private static Map<String, String> with(Map<String, String> metadata, String key, String value) {
        Map<String, String> changed = new LinkedHashMap<>(metadata);
        changed.put(key, value);
        return changed;
    }
}
