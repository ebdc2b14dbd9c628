package dev.transferlab.worker.ml;

import dev.transferlab.common.model.PreprocessingSpec;

import java.util.List;

/**
 * Turns an encoded image into the backbone's input exactly as torchvision's Resize(resize), CenterCrop(crop),
 * ToTensor() and, when asked, Normalize(mean, std) would: training and inference must see identical inputs.
 */
public final class ImagePreprocessor {

    private final PreprocessingSpec spec;
    private final DecodeBudget budget;
    // Per channel, the tensor value of each 8-bit sample.
    private final float[][] values = new float[3][256];

    /** @param budget the memory decoding may take, shared by every preprocessor of the worker */
    public ImagePreprocessor(PreprocessingSpec spec, DecodeBudget budget) {
        if (spec.crop() <= 0 || spec.resize() < spec.crop()) {
            throw new IllegalArgumentException("preprocessing needs 0 < crop <= resize, got resize " + spec.resize()
                    + " and crop " + spec.crop());
        }
        this.spec = spec;
        this.budget = budget;
        float[] mean = spec.normalize() ? channels("mean", spec.mean()) : null;
        float[] std = spec.normalize() ? channels("std", spec.std()) : null;
        for (int c = 0; spec.normalize() && c < 3; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("normalisation std must be positive, got " + spec.std());
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int sample = 0; sample < 256; sample++) {
                // float32 arithmetic in torchvision's order: x / 255, then (x - mean) / std.
                float scaled = sample / 255f;
                values[c][sample] = spec.normalize() ? (scaled - mean[c]) / std[c] : scaled;
            }
        }
    }

    public PreprocessingSpec spec() {
        return spec;
    }

    /**
     * The CHW float tensor data of one image: 3 x crop x crop values.
     *
     * @throws InvalidImageException   the bytes are not an image that can be decoded, saying why
     * @throws ImageTooLargeException  decoding it would take more memory than one image may
     */
    public float[] apply(byte[] encodedImage) {
        // Resized while the decoded pixels still hold their share of the decode budget.
        byte[] samples = ImageDecoder.decode(encodedImage, budget, this::resizeAndCrop);
        float[] tensor = new float[samples.length];
        int plane = samples.length / 3;
        for (int c = 0; c < 3; c++) {
            float[] channel = values[c];
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                tensor[i] = channel[samples[i] & 0xff];
            }
        }
        return tensor;
    }

    private byte[] resizeAndCrop(RgbImage image) {
        int shorter = Math.min(image.width(), image.height());
        int longer = Math.max(image.width(), image.height());
        // torchvision: the shorter side becomes `resize`, the longer int(resize * long / short), truncated.
        int resizedLonger = (int) ((double) spec.resize() * longer / shorter);
        int outWidth = image.width() <= image.height() ? spec.resize() : resizedLonger;
        int outHeight = image.width() <= image.height() ? resizedLonger : spec.resize();
        int crop = spec.crop();
        // torchvision rounds with Python's round(), which rounds halves to even, as Math.rint does.
        int top = (int) Math.rint((outHeight - crop) / 2.0);
        int left = (int) Math.rint((outWidth - crop) / 2.0);
        return AntialiasedResize.resizeAndCrop(image, outWidth, outHeight, left, top, crop);
    }

    private static float[] channels(String what, List<Double> values) {
        if (values == null || values.size() != 3) {
            throw new IllegalArgumentException("normalisation " + what + " needs 3 values (R, G, B), got " + values);
        }
        return new float[] {values.get(0).floatValue(), values.get(1).floatValue(), values.get(2).floatValue()};
    }
}
