package dev.transferlab.api.infra;

import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.dataset.SkippedFile;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.ClassWeights;
import dev.transferlab.common.messages.EpochMetrics;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.model.ModelScores;
import dev.transferlab.common.model.PreprocessingSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The contract's records reach Jackson through {@code Messages}' own mapper (Kafka payloads, manifests in S3), not
 * through a REST signature Quarkus can see, so a native image must be told to keep their constructors and accessors.
 */
@RegisterForReflection(targets = {
        TrainingRequest.class, CancelRequest.class, TrainingEvent.class, TrainingEventType.class, EpochMetrics.class,
        ExtractionProgress.class, Hyperparameters.class, ClassWeights.class, BackboneSpec.class, PreprocessingSpec.class,
        InferenceRequest.class, InferenceResult.class, InferenceResult.Prediction.class, InferenceResult.Error.class,
        InferenceResult.ErrorCode.class, ModelManifest.class, DatasetManifest.class, DatasetManifest.Kind.class,
        DatasetManifest.Layout.class, SkippedFile.class, ModelScores.class, ModelScores.EpochScores.class,
        EvaluationReport.class, EvaluationReport.SetEvaluation.class, EvaluationReport.ClassScores.class,
        EvaluationReport.Average.class, EvaluationReport.Calibration.class, EvaluationReport.ReliabilityBin.class,
        EvaluationReport.Misclassified.class})
final class NativeReflection {
    private NativeReflection() {
    }
}
