package dev.transferlab.worker.ml.zoo;

import ai.djl.Application;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.Translator;
import ai.djl.util.Progress;

/**
 * What the backbone loaders share: their weights are local files by the time a Criteria names them (fetching and
 * verifying is the caller's business), and they take and give NDLists, preprocessing being the platform's own.
 */
abstract class LocalBackboneLoader implements ModelLoader {
    protected final String artifactId;

    LocalBackboneLoader(String artifactId) {
        this.artifactId = artifactId;
    }

    protected void requireNDLists(Criteria<?, ?> criteria) throws ModelNotFoundException {
        if (criteria.getInputClass() != NDList.class || criteria.getOutputClass() != NDList.class) {
            throw new ModelNotFoundException("backbone " + artifactId + " maps NDList to NDList, not "
                    + criteria.getInputClass().getSimpleName() + " to " + criteria.getOutputClass().getSimpleName());
        }
    }

    @SuppressWarnings("unchecked")
    protected static <I, O> ZooModel<I, O> noop(Model model) {
        return new ZooModel<>(model, (Translator<I, O>) new NoopTranslator());
    }

    @Override
    public String getGroupId() {
        return BackboneZoo.GROUP_ID;
    }

    @Override
    public String getArtifactId() {
        return artifactId;
    }

    @Override
    public Application getApplication() {
        return Application.UNDEFINED;
    }

    @Override
    public MRL getMrl() {
        return MRL.undefined(null, BackboneZoo.GROUP_ID, artifactId);
    }

    @Override
    public <I, O> boolean isDownloaded(Criteria<I, O> criteria) {
        return true;
    }

    @Override
    public <I, O> void downloadModel(Criteria<I, O> criteria, Progress progress) {
    }

    @Override
    public String toString() {
        return BackboneZoo.GROUP_ID + ":" + artifactId;
    }
}
