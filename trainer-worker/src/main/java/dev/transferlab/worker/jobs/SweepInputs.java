package dev.transferlab.worker.jobs;

import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.LabelledFeatures;

import java.util.function.Consumer;

/**
 * What a sweep's trials train and are judged on: its dataset's features (from the cache when a job or the sweep's own
 * worker computed them before), split as its base job would split them. The worker running the sweep and every
 * worker training one of its trials build the same inputs from the same command.
 */
record SweepInputs(ImageFolder dataset, DatasetFeatures.Result features, LabelledFeatures train,
                   ModelEvaluation.EvaluatedSet validation, ModelEvaluation.EvaluatedSet test) {

    /**
     * @param progress    told of the extraction's progress when the features are not in the cache
     * @param beforeBatch runs before every backbone batch; it throws to stop the extraction
     */
    static SweepInputs of(ObjectStore store, FeatureSettings settings, LoadedBackbone backbone, SweepRequest request,
                          Consumer<ExtractionProgress> progress, Runnable beforeBatch) {
        TrainingRequest job = request.asTrainingRequest();
        ImageFolder dataset = new ImageFolderLister(store).list(job);
        DatasetFeatures.Result features = new DatasetFeatures(store, settings).features(request.tenant(), dataset,
                backbone, job.preprocessingOrDefault(), progress, beforeBatch);
        StratifiedSplit.Parts<ImageFolder.Item> sets = dataset.sets(request.base());
        SweepInputs inputs = new SweepInputs(dataset, features, features.table().labelled(sets.train()),
                ModelEvaluation.EvaluatedSet.of(features.table(), sets.validation()),
                ModelEvaluation.EvaluatedSet.of(features.table(), sets.test()));
        if (inputs.train().size() == 0 || inputs.validation().features().size() == 0) {
            throw new JobFailure("a sweep needs training and validation images with features (it has "
                    + inputs.train().size() + " and " + inputs.validation().features().size() + "): its trials are "
                    + "chosen on the validation set; give the dataset a val/ folder, or base.validationFraction "
                    + "above 0");
        }
        return inputs;
    }

    int classes() {
        return dataset.classes().size();
    }
}
