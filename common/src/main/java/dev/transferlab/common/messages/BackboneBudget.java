package dev.transferlab.common.messages;

import java.util.List;

/**
 * How large a DenseNet a job may ask for, judged from its knobs before anything is built: its parameter count and the
 * multiply-adds of one forward pass. Building and initialising a network of billions of parameters takes a worker
 * minutes and its memory, so such a request is refused up front (400 over HTTP, a dead letter over Kafka).
 *
 * <p>The arithmetic is torchvision's DenseNet (the architecture of the worker's {@code ml.DenseNet}): conv0 7×7/2,
 * max-pool 3×3/2, then dense blocks of bottleneck layers (BN, 1×1 conv to {@code bnSize·growthRate}, BN, 3×3 conv to
 * {@code growthRate}), with a transition (BN, 1×1 conv halving the channels, 2×2 average pool) between blocks, and
 * norm5. It is done in doubles, block by block in closed form, so hostile knobs (a block of 2^31 layers) neither
 * overflow nor take long to judge.
 *
 * @param maxParameters most parameters of the backbone's feature extractor
 * @param maxFlops      most multiply-adds of one forward pass of one image
 */
public record BackboneBudget(long maxParameters, double maxFlops) {

    /**
     * The cost of one backbone.
     *
     * @param parameters the learnable parameters of torchvision's {@code features} (convolutions and BatchNorm weights
     *                   and biases; not the running statistics, not the ImageNet classifier, which this platform
     *                   replaces by its own head)
     * @param flops      multiply-adds of the convolutions for one image of the given side, the figure torchvision and
     *                   the DenseNet paper call FLOPs (BatchNorm, ReLU and pooling add well under 1% and are left out)
     */
    public record Cost(double parameters, double flops) {
    }

    /**
     * @throws InvalidFieldException naming the knob, when one is out of range or the backbone is over this budget
     */
    public void check(BackboneSpec spec, int inputSide) {
        if (spec.isTorchScript()) {
            return; // its size is the user's module's, known once the module is read
        }
        Cost cost = cost(spec, inputSide);
        if (cost.parameters() > maxParameters) {
            throw new InvalidFieldException("backbone", String.format("has %,.0f parameters; at most %,d are allowed "
                    + "(densenet121 has 6,953,856): use a smaller growthRate, blockConfig or bnSize",
                    cost.parameters(), maxParameters));
        }
        if (cost.flops() > maxFlops) {
            throw new InvalidFieldException("backbone", String.format("needs %.2f GFLOPs per image; at most %.2f are "
                    + "allowed (densenet121 needs 2.83): use a smaller growthRate, blockConfig or bnSize",
                    cost.flops() / 1e9, maxFlops / 1e9));
        }
    }

    /**
     * @throws InvalidFieldException naming the knob, when one is not positive, or there are more blocks than the
     *                               image has room for (each transition halves the feature map)
     */
    public static Cost cost(BackboneSpec spec, int inputSide) {
        double growth = positive("backbone.growthRate", spec.growthRate());
        double bottleneck = positive("backbone.bnSize", spec.bnSize()) * growth;
        double channels = positive("backbone.numInitFeatures", spec.numInitFeatures());
        List<Integer> blocks = spec.blockConfig();
        if (blocks == null || blocks.isEmpty()) {
            throw new InvalidFieldException("backbone.blockConfig", "must list at least one block");
        }
        long side = convolved(convolved((long) positive("input side", inputSide), 7, 2, 3), 3, 2, 1);
        double parameters = 3 * channels * 49 + 2 * channels;
        double flops = square(convolved(inputSide, 7, 2, 3)) * 3 * channels * 49;
        for (int i = 0; i < blocks.size(); i++) {
            String field = "backbone.blockConfig[" + i + "]";
            if (blocks.get(i) == null) {
                throw new InvalidFieldException(field, "must not be null");
            }
            double layers = positive(field, blocks.get(i));
            if (side < 1) {
                throw new InvalidFieldException("backbone.blockConfig", "has " + blocks.size() + " blocks; a "
                        + inputSide + "×" + inputSide + " image leaves no feature map for block " + (i + 1)
                        + " (each transition halves it)");
            }
            // Layer j of the block reads channels + j·growth; summed over the block in closed form.
            double inputs = layers * channels + growth * layers * (layers - 1) / 2;
            parameters += (2 + bottleneck) * inputs + layers * (2 * bottleneck + 9 * bottleneck * growth);
            flops += square(side) * (bottleneck * inputs + layers * 9 * bottleneck * growth);
            channels += layers * growth;
            if (i < blocks.size() - 1) {
                double halved = Math.floor(channels / 2);
                parameters += 2 * channels + channels * halved;
                flops += square(side) * channels * halved;
                channels = halved;
                side /= 2;
            }
        }
        parameters += 2 * channels;
        return new Cost(parameters, flops);
    }

    private static long convolved(long side, int kernel, int stride, int padding) {
        return Math.max(0, (side + 2L * padding - kernel) / stride + 1);
    }

    private static double square(long side) {
        return (double) side * side;
    }

    private static double positive(String field, int value) {
        if (value < 1) {
            throw new InvalidFieldException(field, "must be at least 1, got " + value);
        }
        return value;
    }
}
