package dev.transferlab.worker.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.Adam with its defaults (betas 0.9 and 0.999, eps 1e-8, no weight decay, no amsgrad), or with a weight
 * decay torch.optim.AdamW (decoupled: w *= 1 - lr * decay before the Adam step), whose state can be exported and
 * imported so that a training can resume from a checkpoint. The learning rate may change between steps, as a
 * scheduler changes torch's param_groups' lr. DJL's Adam keeps its state private, and
 * also computes w -= lr sqrt(1-b2^t)/(1-b1^t) m/(sqrt(v)+eps), which differs from torch's
 * w -= lr/(1-b1^t) m/(sqrt(v)/sqrt(1-b2^t)+eps) wherever sqrt(v) is near eps.
 * The state arrays live on a manager the caller owns, so they last as long as the training and die with it.
 */
final class TorchAdam extends Optimizer {

    // Doubles as in Python, so 1 - beta and the bias corrections round as torch's do.
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final Double weightDecay;
    private final NDManager stateManager;
    private final Map<String, String> namesById;
    private final Map<String, Moments> moments = new HashMap<>();
    private double learningRate;

    /**
     * @param namesById DJL's parameter ids (random UUIDs, different in every run) to the stable names the exported
     *                  state is keyed by
     */
    TorchAdam(double learningRate, NDManager stateManager, Map<String, String> namesById) {
        this(learningRate, null, stateManager, namesById);
    }

    /** @param weightDecay AdamW's; null for Adam */
    TorchAdam(double learningRate, Double weightDecay, NDManager stateManager, Map<String, String> namesById) {
        super(new Settings());
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.stateManager = stateManager;
        this.namesById = Collections.unmodifiableMap(new LinkedHashMap<>(namesById));
    }

    /** The rate of the steps from now on. */
    void useLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = namesById.get(parameterId);
        if (name == null) {
            throw new IllegalStateException("parameter " + parameterId + " is not one this optimiser was built for");
        }
        Moments state = moments.computeIfAbsent(name, n -> Moments.zeros(stateManager, weight.getShape()));
        if (!state.mean.getShape().equals(weight.getShape())) {
            throw new IllegalStateException("Adam state for " + name + " has shape " + state.mean.getShape()
                    + " but the weight has " + weight.getShape());
        }
        state.step++;
        double biasCorrection1 = 1 - Math.pow(BETA1, state.step);
        double biasCorrection2 = 1 - Math.pow(BETA2, state.step);
        // In place, as torch does: the state and the weight keep their storage; only temporaries are new. Grad mode
        // must be off for that, as in torch.optim's no_grad step: PyTorch starts every thread with it on, and DJL's
        // gradient collector restores whatever mode it found, so a thread that never turned it off still has it.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope temporaries = new NDScope()) {
            if (weightDecay != null) {
                weight.muli((float) (1 - learningRate * weightDecay));
            }
            state.mean.muli((float) BETA1).addi(grad.mul((float) (1 - BETA1)));
            state.variance.muli((float) BETA2).addi(grad.square().muli((float) (1 - BETA2)));
            NDArray denominator = state.variance.sqrt().divi((float) Math.sqrt(biasCorrection2)).addi((float) EPSILON);
            weight.subi(state.mean.div(denominator).muli((float) (learningRate / biasCorrection1)));
            // PyTorch adds each backward pass's gradient to the last one; DJL's PyTorch optimisers clear it after
            // their update, and the trainer relies on that.
            weight.getGradient().muli(0f);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * A heap copy of the state, safe to keep while training goes on, in the order of the names given at construction
     * (DJL updates parameters in no particular order).
     */
    AdamState exportState() {
        Map<String, Tensor> means = new LinkedHashMap<>();
        Map<String, Tensor> variances = new LinkedHashMap<>();
        Map<String, Long> steps = new LinkedHashMap<>();
        for (String name : namesById.values()) {
            Moments state = moments.get(name);
            if (state != null) {
                means.put(name, heapCopy(state.mean));
                variances.put(name, heapCopy(state.variance));
                steps.put(name, state.step);
            }
        }
        return new AdamState(means, variances, steps);
    }

    /** Replaces the whole state, as if the steps that produced it had been taken here. */
    void importState(AdamState state) {
        if (!namesById.values().containsAll(state.steps().keySet())) {
            throw new IllegalArgumentException("Adam state names " + state.steps().keySet()
                    + " but this optimiser's parameters are " + namesById.values());
        }
        moments.values().forEach(Moments::close);
        moments.clear();
        state.steps().forEach((name, step) -> moments.put(name, Moments.of(stateManager,
                state.means().get(name), state.variances().get(name), step)));
    }

    private static Tensor heapCopy(NDArray array) {
        return new Tensor(array.getShape().getShape(), array.toFloatArray());
    }

    private static final class Moments {
        final NDArray mean;
        final NDArray variance;
        long step;

        private Moments(NDArray mean, NDArray variance, long step) {
            // Created during a batch, they would otherwise die with that batch's scope.
            NDScope.unregister(mean, variance);
            this.mean = mean;
            this.variance = variance;
            this.step = step;
        }

        static Moments zeros(NDManager manager, Shape shape) {
            return new Moments(manager.zeros(shape), manager.zeros(shape), 0);
        }

        static Moments of(NDManager manager, Tensor mean, Tensor variance, long step) {
            return new Moments(manager.create(mean.data(), new Shape(mean.shape())),
                    manager.create(variance.data(), new Shape(variance.shape())), step);
        }

        void close() {
            mean.close();
            variance.close();
        }
    }

    /** DJL's generic knobs stay at their defaults (no rescaling, clipping or decay), which this class ignores. */
    private static final class Settings extends OptimizerBuilder<Settings> {
        @Override
        protected Settings self() {
            return this;
        }
    }
}
