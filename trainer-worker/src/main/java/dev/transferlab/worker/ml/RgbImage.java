package dev.transferlab.worker.ml;

/**
 * A decoded image's 8-bit samples, row-major without padding: {@code stride} bytes per pixel, with red, green and
 * blue at offsets {@code red}, {@code green} and {@code blue} within each. It is the decoder's own buffer wherever
 * its layout allows (BGR from the JPEG decoder, RGB or RGBA from the PNG decoder, a grey byte read as all three), so
 * that turning it into RGB copies nothing.
 */
record RgbImage(int width, int height, byte[] samples, int stride, int red, int green, int blue) {

    /** Three bytes per pixel in the order R, G, B. */
    static RgbImage packed(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb, 3, 0, 1, 2);
    }

    /**
     * The image as it is meant to be seen, given its EXIF orientation (1 to 8): the transposition PIL's
     * ImageOps.exif_transpose applies, e.g. 6 (camera held upright) turns the stored image 90 degrees clockwise.
     */
    RgbImage oriented(int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return this;
        }
        boolean swaps = orientation >= 5;
        int outWidth = swaps ? height : width;
        int outHeight = swaps ? width : height;
        byte[] out = new byte[width * height * stride];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = width - 1 - x; sy = y; }
                    case 3 -> { sx = width - 1 - x; sy = height - 1 - y; }
                    case 4 -> { sx = x; sy = height - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = height - 1 - x; }
                    case 7 -> { sx = width - 1 - y; sy = height - 1 - x; }
                    default -> { sx = width - 1 - y; sy = x; }
                }
                System.arraycopy(samples, (sy * width + sx) * stride, out, (y * outWidth + x) * stride, stride);
            }
        }
        return new RgbImage(outWidth, outHeight, out, stride, red, green, blue);
    }

    /** The pixels packed 0xRRGGBB, row-major. */
    int[] pixels() {
        int[] pixels = new int[width * height];
        for (int i = 0; i < pixels.length; i++) {
            int at = i * stride;
            pixels[i] = (samples[at + red] & 0xff) << 16 | (samples[at + green] & 0xff) << 8
                    | samples[at + blue] & 0xff;
        }
        return pixels;
    }
}
