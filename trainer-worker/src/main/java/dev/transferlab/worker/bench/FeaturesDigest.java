package dev.transferlab.worker.bench;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.Sha256;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Whether two builds compute the same DenseNet121 features bit for bit: prints the weights' SHA-256 and a SHA-256 of
 * the features of four fixed random images (DenseNet121Benchmark's), to compare between builds on the same file.
 * Usage: FeaturesDigest WEIGHTS
 */
public final class FeaturesDigest {

    private FeaturesDigest() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: FeaturesDigest WEIGHTS");
            System.exit(2);
        }
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, Path.of(args[0])).build())) {
            MessageDigest digest = Sha256.digest();
            for (float[] features : backbone.features(DenseNet121Benchmark.randomImages(4))) {
                ByteBuffer bytes = ByteBuffer.allocate(features.length * Float.BYTES);
                bytes.asFloatBuffer().put(features);
                digest.update(bytes);
            }
            System.out.println("weights " + backbone.sha256() + " features "
                    + HexFormat.of().formatHex(digest.digest()));
        }
    }
}
