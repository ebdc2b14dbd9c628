package dev.transferlab.worker.bench;

import java.util.Arrays;
import java.util.Random;

/**
 * Features shaped like DenseNet121's with random weights, so that benchmarks of what comes after the backbone need
 * no backbone run first: 1,024 non-negative dimensions, a large component common to every image, squared row norms
 * about 1,700 where real ones had 1,400, and a class structure a linear probe learns to about the 0.67 measured on
 * real ones at 300 images. A common positive profile scaled per image, plus class and image variation in a
 * low-dimensional latent space mapped to every dimension (random networks' features are strongly correlated), through
 * a ReLU.
 */
final class GeneratedFeatures {
    static final int DIMS = 1024;
    private static final int LATENT = 48;

    private GeneratedFeatures() {
    }

    /** One row per label; the same labels, classes and random source give the same rows. */
    static float[][] of(int[] labels, int classes, Random random) {
        double[] profile = new double[DIMS];
        Arrays.setAll(profile, j -> Math.abs(0.8 + 0.5 * random.nextGaussian()));
        double[][] mixing = new double[LATENT][DIMS];
        for (double[] row : mixing) {
            Arrays.setAll(row, j -> 0.12 * random.nextGaussian());
        }
        double[][] centres = new double[classes][LATENT];
        for (double[] centre : centres) {
            Arrays.setAll(centre, k -> 0.4 * random.nextGaussian());
        }
        float[][] features = new float[labels.length][DIMS];
        for (int i = 0; i < labels.length; i++) {
            double level = 1 + 0.25 * random.nextGaussian();
            double[] latent = new double[LATENT];
            int label = labels[i];
            Arrays.setAll(latent, k -> centres[label][k] + random.nextGaussian());
            for (int j = 0; j < DIMS; j++) {
                double value = level * profile[j] + 0.05 * random.nextGaussian();
                for (int k = 0; k < LATENT; k++) {
                    value += latent[k] * mixing[k][j];
                }
                features[i][j] = (float) Math.max(0, value);
            }
        }
        return features;
    }
}
