package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * Which backbone a job uses, by name: {@code densenet121} (torchvision's, with the weights the workers are configured
 * with), {@code densenet} (torchvision's DenseNet class with other knobs, so a test can ask for a tiny one), or
 * {@code torchscript} (bring your own: any TorchScript module that maps images to feature vectors).
 *
 * @param weights       where a {@code torchscript} backbone's module is ({@code s3://…} or {@code https://…}); null
 *                      for the DenseNets, whose weights are the workers' configuration
 * @param weightsSha256 the SHA-256 the module file must have, when the job pins it; may be null
 */
public record BackboneSpec(String name, int growthRate, List<Integer> blockConfig, int numInitFeatures, int bnSize,
                           String weights, String weightsSha256) {

    public static final String DENSENET121 = "densenet121";
    public static final String DENSENET = "densenet";
    public static final String TORCHSCRIPT = "torchscript";

    /** A DenseNet described by torchvision's knobs. */
    public BackboneSpec(String name, int growthRate, List<Integer> blockConfig, int numInitFeatures, int bnSize) {
        this(name, growthRate, blockConfig, numInitFeatures, bnSize, null, null);
    }

    public static BackboneSpec densenet121() {
        return new BackboneSpec(DENSENET121, 32, List.of(6, 12, 24, 16), 64, 4);
    }

    public static BackboneSpec torchScript(String weights, String weightsSha256) {
        return new BackboneSpec(TORCHSCRIPT, 0, List.of(), 0, 0, weights, weightsSha256);
    }

    /** True when this is exactly torchvision's DenseNet121, the one whose published weights exist. */
    @JsonIgnore
    public boolean isStandardDenseNet121() {
        return densenet121().equals(this);
    }

    @JsonIgnore
    public boolean isTorchScript() {
        return TORCHSCRIPT.equals(name);
    }

    /** Width of a DenseNet's feature vector: channels after the last dense block. A module's is read from it. */
    public int featureSize() {
        if (isTorchScript()) {
            throw new IllegalStateException("a torchscript backbone's feature size is read from its module");
        }
        int channels = numInitFeatures;
        for (int i = 0; i < blockConfig.size(); i++) {
            channels += blockConfig.get(i) * growthRate;
            if (i != blockConfig.size() - 1) {
                channels /= 2;
            }
        }
        return channels;
    }
}
