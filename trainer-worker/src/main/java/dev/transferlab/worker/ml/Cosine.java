package dev.transferlab.worker.ml;

/** Cosine similarity, the measure by which features computed two ways (precisions, preprocessings) are compared. */
public final class Cosine {

    private Cosine() {
    }

    /** The cosine of the angle between two equally long vectors, summed in double precision. */
    public static double similarity(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
