package dev.transferlab.common.messages;

import java.util.List;

/**
 * Which backbone a job uses. A DenseNet is described like torchvision's {@code DenseNet} class, so a test can ask
 * for a tiny one and production for the real DenseNet121.
 */
public record BackboneSpec(String name, int growthRate, List<Integer> blockConfig, int numInitFeatures, int bnSize) {

    public static final String DENSENET121 = "densenet121";

    public static BackboneSpec densenet121() {
        return new BackboneSpec(DENSENET121, 32, List.of(6, 12, 24, 16), 64, 4);
    }

    /** True when this is exactly torchvision's DenseNet121, the one whose published weights exist. */
    public boolean isStandardDenseNet121() {
        return densenet121().equals(this);
    }

    /** Width of the feature vector: channels after the last dense block. */
    public int featureSize() {
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
