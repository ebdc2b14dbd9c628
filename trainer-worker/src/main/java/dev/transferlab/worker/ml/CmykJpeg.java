package dev.transferlab.worker.ml;

import java.awt.image.Raster;

/**
 * Four-component (CMYK or YCCK) JPEGs, which Java's decoder reads only as raw samples, converted to RGB as PIL does:
 * libjpeg turns YCCK into CMYK, PIL reads CMYK JPEGs as inverted (the Adobe convention, assumed for all of them), and
 * its CMYK-to-RGB conversion is R = (255 - K) - C * (255 - K) / 255 in 8-bit integer arithmetic.
 */
final class CmykJpeg {

    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);

    private CmykJpeg() {
    }

    static RgbImage toRgb(Raster raster, boolean ycck) {
        if (raster.getNumBands() != 4) {
            throw new InvalidImageException("the JPEG file declares 4 colour components but decodes to "
                    + raster.getNumBands() + "; re-save it as an RGB JPEG");
        }
        int width = raster.getWidth();
        int height = raster.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        int[] cmyk = new int[4];
        // One row of samples at a time: the whole image as ints would be 16 bytes per pixel on top of the raster.
        int[] samples = new int[4 * width];
        for (int i = 0; i < width * height; i++) {
            int x = i % width;
            if (x == 0) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + i / width, width, 1, samples);
            }
            int s0 = samples[4 * x];
            int s1 = samples[4 * x + 1];
            int s2 = samples[4 * x + 2];
            int s3 = samples[4 * x + 3];
            if (ycck) {
                // libjpeg's ycck_cmyk_convert gives 255 - R, 255 - G, 255 - B, K; PIL's inversion then leaves
                // R, G, B and 255 - K.
                cmyk[0] = clamp(s0 + crToR(s2));
                cmyk[1] = clamp(s0 + ((cbToG(s1) + crToG(s2)) >> SCALE_BITS));
                cmyk[2] = clamp(s0 + cbToB(s1));
                cmyk[3] = 255 - s3;
            } else {
                cmyk[0] = 255 - s0;
                cmyk[1] = 255 - s1;
                cmyk[2] = 255 - s2;
                cmyk[3] = 255 - s3;
            }
            int notBlack = 255 - cmyk[3];
            for (int c = 0; c < 3; c++) {
                rgb[3 * i + c] = (byte) clamp(notBlack - mulDiv255(cmyk[c], notBlack));
            }
        }
        return RgbImage.packed(width, height, rgb);
    }

    // PIL's MULDIV255: a * b / 255, rounded, without a division.
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    // libjpeg's jdcolor.c tables, computed per sample: FIX(x) = x * 2^16 rounded.
    private static int crToR(int cr) {
        return (fix(1.40200) * (cr - 128) + ONE_HALF) >> SCALE_BITS;
    }

    private static int cbToB(int cb) {
        return (fix(1.77200) * (cb - 128) + ONE_HALF) >> SCALE_BITS;
    }

    private static int crToG(int cr) {
        return -fix(0.71414) * (cr - 128);
    }

    private static int cbToG(int cb) {
        return -fix(0.34414) * (cb - 128) + ONE_HALF;
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALE_BITS) + 0.5);
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
