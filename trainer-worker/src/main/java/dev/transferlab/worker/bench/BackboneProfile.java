package dev.transferlab.worker.bench;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;

import java.nio.file.Path;
import java.util.List;

/**
 * Where one batch's time goes inside the engine: loads DenseNet121, runs one warm-up batch, then one batch under
 * PyTorch's own profiler, and writes its trace (Chrome's trace format: one event per operator, with input shapes) for
 * bench/profile-summary.py to add up per operator.
 * Usage: BackboneProfile WEIGHTS BATCH TRACE
 */
public final class BackboneProfile {

    private BackboneProfile() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: BackboneProfile WEIGHTS BATCH TRACE");
            System.exit(2);
        }
        int batch = Integer.parseInt(args[1]);
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, Path.of(args[0])).build())) {
            List<float[]> images = DenseNet121Benchmark.randomImages(batch);
            backbone.features(images);
            JniUtils.startProfile(false, true, false);
            backbone.features(images);
            JniUtils.stopProfile(args[2]);
        }
    }
}
