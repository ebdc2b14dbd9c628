package dev.transferlab.common.storage;

import dev.transferlab.common.messages.InvalidFieldException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageLayoutTest {

    @Test
    void keysAreBuiltFromValidIds() {
        assertThat(StorageLayout.modelManifest("acme", "job-1")).isEqualTo("models/acme/job-1/manifest.json");
        assertThat(StorageLayout.checkpoint("acme", "job-1"))
                .isEqualTo("checkpoints/acme/job-1/head-checkpoint.safetensors");
        assertThat(StorageLayout.datasetFiles("acme", "ds-1")).isEqualTo("datasets/acme/ds-1/files/");
        assertThat(StorageLayout.inferencePayload("acme", "inf-1")).isEqualTo("inference-payloads/acme/inf-1");
    }

    @Test
    void anIdThatWouldLeaveItsTenantsFolderCannotBecomeAKey() {
        // A job id of "../other/job-9" made models/acme/../other/job-9/, which is another tenant's model.
        assertThatThrownBy(() -> StorageLayout.modelHeadWeights("acme", "../other/job-9"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("modelId"));
        assertThatThrownBy(() -> StorageLayout.checkpoint("acme", "job-1/../../x"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("jobId"));
        assertThatThrownBy(() -> StorageLayout.datasetManifest("acme/../other", "ds-1"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("tenant"));
        assertThatThrownBy(() -> StorageLayout.datasetPrefix("acme", ".."))
                .isInstanceOfSatisfying(InvalidFieldException.class,
                        e -> assertThat(e.field()).isEqualTo("datasetId"));
        assertThatThrownBy(() -> StorageLayout.featureCache(null, "h", "b", "p")).hasMessage("tenant is missing");
        assertThatThrownBy(() -> StorageLayout.tenantDatasets("")).isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void aBatchPredictionsResultsAreItsPartsInOrderAndTheTwoAssembledFiles() {
        assertThat(StorageLayout.batchPredictionPart("acme", "batch-1", 12))
                .isEqualTo("predictions/acme/batch-1/parts/000012.jsonl");
        assertThat(StorageLayout.batchPredictionResults("acme", "batch-1", "csv"))
                .isEqualTo("predictions/acme/batch-1/results.csv");
        assertThatThrownBy(() -> StorageLayout.batchPredictionResults("acme", "batch-1", "../x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.batchPredictionPart("acme", "../b", 0))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("jobId"));
        // The results area is the platform's: no grant may reach into it.
        assertThatThrownBy(() -> new DatasetAccess("transferlab", java.util.Map.of("acme",
                java.util.List.of("predictions/acme/")))).hasMessageContaining("never granted");
    }
}
