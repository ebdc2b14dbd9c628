package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TorchAdamTest {

    static final Shape SHAPE = new Shape(2, 3);
    static final float[] START = {0.5f, -1.25f, 2f, 0f, 3f, -0.75f};
    // The third gradient element is near eps, where torch's and DJL's formulas part ways.
    static final float[][] GRADIENTS = {
        {0.1f, -0.2f, 1e-8f, 3f, -0.05f, 0f},
        {-0.3f, 0.25f, 2e-8f, 1.5f, 0.07f, 0.4f},
        {0.2f, 0f, -1e-8f, -2f, 0.01f, -0.4f},
    };
    // Printed by torch 1.13 (Debian's python3-torch): w = tensor(START, requires_grad=True);
    // opt = torch.optim.Adam([w], lr=0.01); per gradient g: (w * g).sum().backward(); opt.step(); opt.zero_grad()
    static final float[] TORCH_WEIGHTS_AFTER_3 = {0.49475404620170593f, -1.2428852319717407f, 1.986626386642456f,
        -0.02223551645874977f, 3.0054380893707275f, -0.7569895386695862f};
    static final float[] TORCH_M_AFTER_3 = {0.0010999991791322827f, 0.006299999076873064f, 1.6100000221896948e-09f,
        0.17799998819828033f, 0.0032499998342245817f, -0.003999998793005943f};
    static final float[] TORCH_V_AFTER_3 = {0.00013989002036396414f, 0.00010235754598397762f, 5.994001457682419e-19f,
        0.015229757875204086f, 7.490102689189371e-06f, 0.0003198400081600994f};
    static final float[] TORCH_WEIGHTS_AFTER_1 = {0.49000000953674316f, -1.2400000095367432f, 1.9950000047683716f,
        -0.010000000707805157f, 3.009999990463257f, -0.75f};

    @Test
    void threeStepsMatchTorchOptimAdam() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray weight = parameter(manager);
            TorchAdam adam = new TorchAdam(0.01, manager, Map.of("id", "w"));

            step(adam, weight, GRADIENTS[0]);
            assertThat(weight.toFloatArray()).containsExactly(TORCH_WEIGHTS_AFTER_1, within(1e-6f));
            step(adam, weight, GRADIENTS[1]);
            step(adam, weight, GRADIENTS[2]);

            // Also fails if gradients were not cleared after each update: PyTorch would sum them.
            assertThat(weight.toFloatArray()).containsExactly(TORCH_WEIGHTS_AFTER_3, within(1e-6f));
            AdamState state = adam.exportState();
            assertThat(state.steps()).containsExactly(Map.entry("w", 3L));
            assertThat(state.means().get("w").shape()).containsExactly(2, 3);
            // Relative, as the moments span 17 orders of magnitude; torch fuses m*beta + g*(1-beta) into one rounding.
            assertRelativelyClose(state.means().get("w").data(), TORCH_M_AFTER_3);
            assertRelativelyClose(state.variances().get("w").data(), TORCH_V_AFTER_3);
        }
    }

    @Test
    void withWeightDecayItIsTorchOptimAdamWAndTakesANewRateBetweenSteps() {
        // Printed by torch 1.13: as above with opt = torch.optim.AdamW([w], lr=0.01, weight_decay=0.1), and
        // opt.param_groups[0]["lr"] = 0.005 before the third step.
        float[] torchAfter3 = {0.49361148476600647f, -1.2391479015350342f, 1.982871413230896f, -0.02075899951159954f,
            2.9991295337677f, -0.755338191986084f};
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray weight = parameter(manager);
            TorchAdam adamW = new TorchAdam(0.01, 0.1, manager, Map.of("id", "w"));

            step(adamW, weight, GRADIENTS[0]);
            step(adamW, weight, GRADIENTS[1]);
            adamW.useLearningRate(0.005);
            step(adamW, weight, GRADIENTS[2]);

            assertThat(weight.toFloatArray()).containsExactly(torchAfter3, within(1e-6f));
        }
    }

    @Test
    void djlAdamDiffersFromTorchWhereTheGradientIsNearEps() {
        // Why TorchAdam exists besides its exportable state: DJL's Adam applies eps after the bias correction.
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray weight = parameter(manager);
            Optimizer djl = Adam.builder().optLearningRateTracker(Tracker.fixed(0.01f)).build();

            step(djl, weight, GRADIENTS[0]);

            float[] after = weight.toFloatArray();
            assertThat(after[0]).isCloseTo(TORCH_WEIGHTS_AFTER_1[0], within(1e-6f));
            assertThat(Math.abs(after[2] - TORCH_WEIGHTS_AFTER_1[2])).isGreaterThan(1e-3f);
        }
    }

    @Test
    void importedStateContinuesAsIfTheStepsHadBeenTakenHere() {
        try (NDManager first = NDManager.newBaseManager(Device.cpu());
                NDManager second = NDManager.newBaseManager(Device.cpu())) {
            NDArray weight = parameter(first);
            TorchAdam before = new TorchAdam(0.01, first, Map.of("id", "w"));
            step(before, weight, GRADIENTS[0]);
            step(before, weight, GRADIENTS[1]);
            float[] weightsAfterTwo = weight.toFloatArray();
            AdamState saved = before.exportState();
            float[] savedMeans = saved.means().get("w").data().clone();
            // The export is a copy: the optimiser going on must not change it.
            step(before, weight, GRADIENTS[2]);
            assertThat(saved.means().get("w").data()).containsExactly(savedMeans);

            NDArray resumed = second.create(weightsAfterTwo, SHAPE);
            resumed.setRequiresGradient(true);
            // DJL gives parameters new random ids in every run; the state travels under the stable name.
            TorchAdam after = new TorchAdam(0.01, second, Map.of("other-id", "w"));
            after.importState(saved);
            step(after, "other-id", resumed, GRADIENTS[2]);

            assertThat(resumed.toFloatArray()).containsExactly(TORCH_WEIGHTS_AFTER_3, within(1e-6f));
            assertThat(after.exportState().steps()).containsEntry("w", 3L);
        }
    }

    @Test
    void stateForUnknownParametersIsRefused() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            TorchAdam adam = new TorchAdam(0.01, manager, Map.of("id", "fc1.weight"));
            AdamState other = new AdamState(Map.of("fc9.weight", new Tensor(new long[] {1}, new float[1])),
                    Map.of("fc9.weight", new Tensor(new long[] {1}, new float[1])), Map.of("fc9.weight", 1L));

            assertThatThrownBy(() -> adam.importState(other))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fc9.weight");
        }
    }

    private static void assertRelativelyClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element " + i).isCloseTo(expected[i], within(1e-6f * Math.abs(expected[i])));
        }
    }

    private static NDArray parameter(NDManager manager) {
        NDArray weight = manager.create(START, SHAPE);
        weight.setRequiresGradient(true);
        return weight;
    }

    /** One backward pass of sum(w * g), whose gradient is g, then the update the trainer's step would make. */
    private static void step(Optimizer optimizer, NDArray weight, float[] gradient) {
        step(optimizer, "id", weight, gradient);
    }

    private static void step(Optimizer optimizer, String parameterId, NDArray weight, float[] gradient) {
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(weight.mul(weight.getManager().create(gradient, SHAPE)).sum());
        }
        try (NDScope scope = new NDScope()) {
            // As DJL's parameter server does: the optimiser gets a copy of the gradient.
            optimizer.update(parameterId, weight, weight.getGradient().duplicate());
        }
    }
}
