package dev.transferlab.common.dataset;

/**
 * How many images of one class a stratified split holds out: the fraction, rounded, but at least one when the class
 * has two or more images and the fraction is positive, and never the last training image. One rule for the worker's
 * split and for the counts the API reports before any job runs.
 */
public final class StratifiedCounts {
    private StratifiedCounts() {
    }

    public static int heldOut(int classSize, double fraction) {
        int held = (int) Math.round(classSize * fraction);
        if (fraction > 0 && classSize >= 2) {
            held = Math.max(1, held);
        }
        return Math.max(0, Math.min(held, classSize - 1));
    }

    /**
     * How many a three-way split holds out for validation after {@code test} of the class went to test: as
     * {@link #heldOut}, but never the last training image.
     */
    public static int heldOutAfter(int classSize, int test, double fraction) {
        return Math.min(heldOut(classSize, fraction), Math.max(0, classSize - test - 1));
    }
}
