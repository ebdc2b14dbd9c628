package dev.transferlab.worker.ml;

/**
 * What an image's headers say decoding it will allocate, known before any pixel is decoded.
 *
 * @param description   what it is, for messages: e.g. "13300x13300 CMYK JPEG"
 * @param bytesPerPixel the decoder's raster, the RGB result and any copy or buffer in between, per pixel
 */
record DeclaredImage(String description, int width, int height, int bytesPerPixel) {

    long pixels() {
        return (long) width * height;
    }

    /** The bytes decoding needs; saturates rather than overflows for the sizes a header can declare. */
    long bytes() {
        long pixels = pixels();
        return pixels > Long.MAX_VALUE / bytesPerPixel ? Long.MAX_VALUE : pixels * bytesPerPixel;
    }
}
