package dev.transferlab.common.model;

import dev.transferlab.common.dataset.ContentHash;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * How an image becomes the backbone's input: resize the shorter side to {@code resize} (bilinear, antialiased),
 * centre-crop {@code crop}×{@code crop}, scale to [0,1], then, when {@code normalize}, subtract {@code mean} and divide
 * by {@code std} per channel. Recorded in every model manifest so inference preprocesses exactly as training did.
 */
public record PreprocessingSpec(int resize, int crop, boolean normalize, List<Double> mean, List<Double> std) {

    private static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

    /** The tutorial's Resize(255), CenterCrop(224), plus the ImageNet normalisation the published weights expect. */
    public static PreprocessingSpec imagenet() {
        return new PreprocessingSpec(255, 224, true, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** Resize the shorter side to {@code resize} and crop 224, normalised with the ImageNet mean and std or not. */
    public static PreprocessingSpec of(int resize, boolean normalize) {
        return new PreprocessingSpec(resize, 224, normalize, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** A short, stable name of these settings for cache keys: features computed with other settings differ. */
    public String fingerprint() {
        String canonical = resize + "/" + crop + "/" + normalize + "/" + mean + "/" + std;
        byte[] digest = ContentHash.sha256().digest(canonical.getBytes(StandardCharsets.UTF_8));
        return "r" + resize + "-c" + crop + (normalize ? "-n" : "") + "-" + HexFormat.of().formatHex(digest, 0, 6);
    }

    /** The tutorial exactly: no normalisation. */
    public static PreprocessingSpec tutorial() {
        return new PreprocessingSpec(255, 224, false, IMAGENET_MEAN, IMAGENET_STD);
    }
}
