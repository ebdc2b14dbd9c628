package dev.transferlab.worker.ml.zoo;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.Translator;

/** What the backbone loaders share: they take and give NDLists, preprocessing being the platform's own. */
final class ZooModels {

    private ZooModels() {
    }

    static void requireNDLists(Criteria<?, ?> criteria, String artifactId) throws ModelNotFoundException {
        if (criteria.getInputClass() != NDList.class || criteria.getOutputClass() != NDList.class) {
            throw new ModelNotFoundException("backbone " + artifactId + " maps NDList to NDList, not "
                    + criteria.getInputClass().getSimpleName() + " to " + criteria.getOutputClass().getSimpleName());
        }
    }

    @SuppressWarnings("unchecked")
    static <I, O> ZooModel<I, O> noop(Model model) {
        return new ZooModel<>(model, (Translator<I, O>) new NoopTranslator());
    }
}
