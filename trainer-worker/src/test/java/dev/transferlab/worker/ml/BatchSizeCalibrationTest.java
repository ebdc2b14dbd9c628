package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BatchSizeCalibrationTest {
    private static final List<Integer> CANDIDATES = List.of(1, 2, 4, 8);

    @Test
    void everyCandidateIsTriedWithinTheBudgetAndTheFastestIsChosen() {
        try (Backbone backbone = BackboneTest.random(DenseNetTest.tiny(), 1)) {
            BatchSizeCalibration.Result result = new BatchSizeCalibration(CANDIDATES, 32, Duration.ofHours(1))
                    .run(backbone);

            assertThat(result.trials()).extracting(BatchSizeCalibration.Trial::batchSize).isEqualTo(CANDIDATES);
            assertThat(result.batchSize()).isIn(CANDIDATES);
            double best = result.trials().stream().mapToDouble(BatchSizeCalibration.Trial::imagesPerSecond).max()
                    .orElseThrow();
            assertThat(result.trials()).filteredOn(t -> t.batchSize() == result.batchSize())
                    .singleElement().satisfies(t -> assertThat(t.imagesPerSecond()).isEqualTo(best));
            assertThat(result.stop()).isNull();
            assertThat(result.table()).contains("<- chosen").contains("all candidates tried");
            System.out.println(result.table());
        }
    }

    @Test
    void aSpentBudgetStopsAfterTheFirstCandidate() {
        try (Backbone backbone = BackboneTest.random(DenseNetTest.tiny(), 1)) {
            BatchSizeCalibration.Result result = new BatchSizeCalibration(CANDIDATES, 32, Duration.ZERO)
                    .run(backbone);

            // One candidate, so two batches (warm-up and timed) in all: the prediction for the next one passes 0 s.
            assertThat(result.trials()).singleElement().extracting(BatchSizeCalibration.Trial::batchSize)
                    .isEqualTo(1);
            assertThat(result.batchSize()).isEqualTo(1);
            assertThat(result.stop()).contains("before batch 2").contains("budget");
        }
    }

    @Test
    void aCpuBackboneGetsTheCpuCandidates() {
        try (Backbone backbone = BackboneTest.random(DenseNetTest.tiny(), 1)) {
            BatchSizeCalibration.Result result = BatchSizeCalibration.forDevice(backbone, 32).run(backbone);

            assertThat(BatchSizeCalibration.CPU_CANDIDATES).containsSubsequence(
                    result.trials().stream().map(BatchSizeCalibration.Trial::batchSize).toList());
            assertThat(result.batchSize()).isIn(BatchSizeCalibration.CPU_CANDIDATES);
        }
    }
}
