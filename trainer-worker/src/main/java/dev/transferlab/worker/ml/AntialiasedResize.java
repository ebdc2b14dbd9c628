package dev.transferlab.worker.ml;

import java.util.Arrays;

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
    // Each sum starts at one half, so that the shift in clip8 rounds.
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private AntialiasedResize() {
    }

    /**
     * Resizes {@code image} to outWidth x outHeight and returns the crop x crop window at (left, top): its 8-bit
     * values, channel by channel (CHW).
     */
    static byte[] resizeAndCrop(RgbImage image, int outWidth, int outHeight, int left, int top, int crop) {
        Taps columns = Taps.of(image.width(), outWidth, left, crop);
        Taps rows = Taps.of(image.height(), outHeight, top, crop);
        int firstRow = rows.first();
        int rowCount = rows.end() - firstRow;
        int[] horizontal = horizontal(image, columns, firstRow, rowCount);
        byte[] out = new byte[3 * crop * crop];
        // Integer sums do not depend on their order, so the vertical pass adds whole rows at a time (a plain loop over
        // arrays, which the JIT can unroll and vectorise) and still gives PIL's per-pixel sums.
        int[] sums = new int[crop];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < crop; y++) {
                Arrays.fill(sums, HALF);
                int taps = y * rows.stride();
                for (int k = 0; k < rows.count()[y]; k++) {
                    int weight = rows.weights()[taps + k];
                    int from = (c * rowCount + rows.start()[y] - firstRow + k) * crop;
                    for (int x = 0; x < crop; x++) {
                        sums[x] += weight * horizontal[from + x];
                    }
                }
                int to = (c * crop + y) * crop;
                for (int x = 0; x < crop; x++) {
                    out[to + x] = (byte) clip8(sums[x]);
                }
            }
        }
        return out;
    }

    /**
     * PIL's horizontal pass, first, over only the input rows the vertical pass will read: rowCount rows from
     * firstRow, each channel's rows in a plane of their own.
     */
    private static int[] horizontal(RgbImage image, Taps columns, int firstRow, int rowCount) {
        int crop = columns.start().length;
        byte[] samples = image.samples();
        int stride = image.stride();
        int[] out = new int[3 * rowCount * crop];
        for (int y = 0; y < rowCount; y++) {
            int row = (firstRow + y) * image.width();
            for (int x = 0; x < crop; x++) {
                int red = HALF;
                int green = HALF;
                int blue = HALF;
                int taps = x * columns.stride();
                int pixel = (row + columns.start()[x]) * stride;
                for (int k = 0; k < columns.count()[x]; k++, pixel += stride) {
                    int weight = columns.weights()[taps + k];
                    red += weight * (samples[pixel + image.red()] & 0xff);
                    green += weight * (samples[pixel + image.green()] & 0xff);
                    blue += weight * (samples[pixel + image.blue()] & 0xff);
                }
                out[y * crop + x] = clip8(red);
                out[(rowCount + y) * crop + x] = clip8(green);
                out[(2 * rowCount + y) * crop + x] = clip8(blue);
            }
        }
        return out;
    }

    private static int clip8(int fixedPoint) {
        // An arithmetic shift, as in C, then clamped: PIL's clip8 lookup table.
        return Math.max(0, Math.min(255, fixedPoint >> PRECISION_BITS));
    }

    /**
     * For each wanted output index along one axis: the first input index, how many inputs, and their weights, those
     * of output i from weights[i * stride].
     */
    private record Taps(int[] start, int[] count, int[] weights, int stride) {

        static Taps of(int inSize, int outSize, int firstOut, int n) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle filter's support is 1
            double inverse = 1.0 / filterScale; // multiplied, not divided, to round exactly as the C code does
            int stride = (int) Math.ceil(support) * 2 + 1; // PIL's ksize, the most inputs one output can have
            int[] start = new int[n];
            int[] count = new int[n];
            int[] weights = new int[n * stride];
            double[] w = new double[stride];
            for (int i = 0; i < n; i++) {
                double center = (firstOut + i + 0.5) * scale;
                // (int) truncates toward zero, as the C code's cast does.
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                double total = 0;
                for (int k = 0; k < max - min; k++) {
                    w[k] = triangle((k + min - center + 0.5) * inverse);
                    total += w[k];
                }
                for (int k = 0; k < max - min; k++) {
                    double normalised = total != 0 ? w[k] / total : w[k];
                    // normalize_coeffs_8bpc: round half away from zero into fixed point.
                    weights[i * stride + k] = (int) (normalised < 0 ? -0.5 + normalised * (1 << PRECISION_BITS)
                            : 0.5 + normalised * (1 << PRECISION_BITS));
                }
                start[i] = min;
                count[i] = max - min;
            }
            return new Taps(start, count, weights, stride);
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
