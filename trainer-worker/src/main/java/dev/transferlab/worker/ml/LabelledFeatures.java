package dev.transferlab.worker.ml;

import java.util.Objects;

/** Backbone feature vectors with their class indices; row i of features has label labels[i]. */
public record LabelledFeatures(float[][] features, int[] labels) {

    public LabelledFeatures {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " feature vectors but " + labels.length + " labels");
        }
        for (float[] row : features) {
            if (row == null || row.length != features[0].length) {
                throw new IllegalArgumentException("feature vectors must all have the same length");
            }
        }
    }

    public static LabelledFeatures empty() {
        return new LabelledFeatures(new float[0][], new int[0]);
    }

    public int size() {
        return labels.length;
    }

    /** Width of the feature vectors; 0 when there are none. */
    public int featureSize() {
        return features.length == 0 ? 0 : features[0].length;
    }
}
