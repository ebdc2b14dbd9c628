package dev.transferlab.worker.ml;

/** A decoded image as 8-bit RGB, packed 0xRRGGBB per pixel, row-major. */
record RgbImage(int width, int height, int[] pixels) {

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
        int[] out = new int[pixels.length];
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
                out[y * outWidth + x] = pixels[sy * width + sx];
            }
        }
        return new RgbImage(outWidth, outHeight, out);
    }

    int channel(int index, int channel) {
        return (pixels[index] >> (16 - 8 * channel)) & 0xff;
    }
}
