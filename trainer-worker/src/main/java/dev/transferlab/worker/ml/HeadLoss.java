package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import dev.transferlab.common.messages.Hyperparameters;

/**
 * torch's {@code CrossEntropyLoss(weight=w, label_smoothing=e)} on the head's log-probabilities (log-softmax is
 * idempotent, so it is also NLLLoss(weight=w) when e is 0): with per-example weights w[y_i],
 * (1-e) * sum(w[y_i] * -logp[i, y_i]) / sum(w[y_i]) + (e/C) * sum_i sum_c (w[c] * -logp[i, c]) / sum(w[y_i]).
 * Without weights every w is 1 and both sums over w[y_i] are the batch size.
 */
final class HeadLoss extends Loss {

    private final float[] classWeights;
    private final double smoothing;

    /** @param classWeights one per class, or null for none */
    HeadLoss(float[] classWeights, double smoothing) {
        super("HeadLoss");
        this.classWeights = classWeights;
        this.smoothing = smoothing;
    }

    /** The tutorial's NLL unless class weights or label smoothing ask for torch's weighted, smoothed form. */
    static Loss forTraining(Hyperparameters hp, double[] classWeights) {
        if (classWeights == null && hp.labelSmoothing() == null) {
            return HeadTrainer.nllLoss();
        }
        float[] weights = null;
        if (classWeights != null) {
            weights = new float[classWeights.length];
            for (int c = 0; c < weights.length; c++) {
                weights[c] = (float) classWeights[c];
            }
        }
        return new HeadLoss(weights, hp.labelSmoothing() == null ? 0 : hp.labelSmoothing());
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logProbabilities = predictions.singletonOrThrow();
        int classes = Math.toIntExact(logProbabilities.getShape().get(1));
        NDArray oneHot = labels.singletonOrThrow().oneHot(classes);
        NDArray picked = logProbabilities.mul(oneHot).sum(new int[] {1}).neg();
        NDArray weights = classWeights == null ? null : logProbabilities.getManager().create(classWeights);
        NDArray loss;
        NDArray totalWeight;
        if (weights == null) {
            totalWeight = null;
            loss = picked.mean();
        } else {
            NDArray exampleWeights = oneHot.mul(weights).sum(new int[] {1});
            totalWeight = exampleWeights.sum();
            loss = picked.mul(exampleWeights).sum().div(totalWeight);
        }
        if (smoothing == 0) {
            return loss;
        }
        NDArray everyClass = (weights == null ? logProbabilities : logProbabilities.mul(weights))
                .sum(new int[] {1}).neg();
        NDArray smoothed = weights == null ? everyClass.mean() : everyClass.sum().div(totalWeight);
        return loss.mul((float) (1 - smoothing)).add(smoothed.mul((float) (smoothing / classes)));
    }
}
