package dev.transferlab.worker.ml;

/** An image whose decoding would need more memory than one image may take: refused before anything is decoded. */
public final class ImageTooLargeException extends InvalidImageException {

    ImageTooLargeException(DeclaredImage image, long limitBytes) {
        super("image too large to decode: " + image.description() + " needs " + mib(image.bytes())
                + ", the limit is " + mib(limitBytes) + "; scale it down to at most "
                + Math.max(1, limitBytes / image.bytesPerPixel() / 1_000_000) + " megapixels");
    }

    private static String mib(long bytes) {
        return ((bytes + (1 << 20) - 1) >> 20) + " MiB";
    }
}
