package dev.transferlab.worker.ml;

/**
 * Bilinear resampling with antialiasing exactly as PIL does it for 8-bit images, and so as torchvision's Resize does
 * on PIL images: a separable triangle filter whose support grows with the downscale factor, pixel centres at +0.5,
 * weights normalised and then rounded to 22-bit fixed point, and each pass (horizontal first) rounded and clipped to
 * 8 bits. Copying PIL's integer arithmetic, rather than computing in floating point, is what makes the result equal
 * to torchvision's bit for bit. Only the pixels inside the crop window are computed, which gives the same values as
 * resizing the whole image and cropping afterwards, for a fraction of the work.
 */
final class AntialiasedResize {

    // PIL's Resample.c: PRECISION_BITS = 32 - 8 - 2.
    private static final int PRECISION_BITS = 22;

    private AntialiasedResize() {
    }

    /**
     * Resizes {@code image} to outWidth x outHeight and returns the crop x crop window at (left, top) as CHW floats
     * holding the 8-bit values 0..255.
     */
    static float[] resizeAndCrop(RgbImage image, int outWidth, int outHeight, int left, int top, int crop) {
        Taps columns = Taps.of(image.width(), outWidth, left, crop);
        Taps rows = Taps.of(image.height(), outHeight, top, crop);
        int firstRow = rows.first();
        int rowCount = rows.end() - firstRow;
        // Horizontal pass first, as PIL does, over only the input rows the vertical pass will read.
        int[] horizontal = new int[3 * rowCount * crop];
        for (int y = 0; y < rowCount; y++) {
            int rowStart = (firstRow + y) * image.width();
            for (int x = 0; x < crop; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < columns.count[x]; k++) {
                        sum += columns.weights[x][k] * image.channel(rowStart + columns.start[x] + k, c);
                    }
                    horizontal[(c * rowCount + y) * crop + x] = clip8(sum);
                }
            }
        }
        float[] out = new float[3 * crop * crop];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < rows.count[y]; k++) {
                        int row = c * rowCount + rows.start[y] - firstRow + k;
                        sum += rows.weights[y][k] * horizontal[row * crop + x];
                    }
                    out[(c * crop + y) * crop + x] = clip8(sum);
                }
            }
        }
        return out;
    }

    private static int clip8(int fixedPoint) {
        // An arithmetic shift, as in C, then clamped: PIL's clip8 lookup table.
        return Math.max(0, Math.min(255, fixedPoint >> PRECISION_BITS));
    }

    /** For each wanted output index along one axis: the first input index, how many inputs, and their weights. */
    private record Taps(int[] start, int[] count, int[][] weights) {

        static Taps of(int inSize, int outSize, int firstOut, int n) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle filter's support is 1
            double inverse = 1.0 / filterScale; // multiplied, not divided, to round exactly as the C code does
            int[] start = new int[n];
            int[] count = new int[n];
            int[][] weights = new int[n][];
            for (int i = 0; i < n; i++) {
                double center = (firstOut + i + 0.5) * scale;
                // (int) truncates toward zero, as the C code's cast does.
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                double[] w = new double[max - min];
                double total = 0;
                for (int k = 0; k < w.length; k++) {
                    w[k] = triangle((k + min - center + 0.5) * inverse);
                    total += w[k];
                }
                weights[i] = new int[w.length];
                for (int k = 0; k < w.length; k++) {
                    double normalised = total != 0 ? w[k] / total : w[k];
                    // normalize_coeffs_8bpc: round half away from zero into fixed point.
                    weights[i][k] = (int) (normalised < 0 ? -0.5 + normalised * (1 << PRECISION_BITS)
                            : 0.5 + normalised * (1 << PRECISION_BITS));
                }
                start[i] = min;
                count[i] = w.length;
            }
            return new Taps(start, count, weights);
        }

        int first() {
            int first = Integer.MAX_VALUE;
            for (int s : start) {
                first = Math.min(first, s);
            }
            return first;
        }

        int end() {
            int end = 0;
            for (int i = 0; i < start.length; i++) {
                end = Math.max(end, start[i] + count[i]);
            }
            return end;
        }

        private static double triangle(double x) {
            double distance = Math.abs(x);
            return distance < 1.0 ? 1.0 - distance : 0.0;
        }
    }
}
