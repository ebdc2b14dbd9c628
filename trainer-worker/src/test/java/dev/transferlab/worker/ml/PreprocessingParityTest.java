package dev.transferlab.worker.ml;

import ai.djl.Device;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java preprocessing against torchvision's Resize, CenterCrop, ToTensor (and Normalize) on the same files, decoded
 * by PIL after ImageOps.exif_transpose. The resampling copies PIL's integer arithmetic, so the tensors are expected
 * to be equal, not merely close: the tolerance only absorbs float32 rounding in Normalize.
 */
class PreprocessingParityTest {

    /** Stated tolerance: one float32 ulp at the largest normalised value (|x| < 2.7), i.e. equal tensors. */
    static final double TOLERANCE = 1e-6;

    @Test
    void smallCommittedImagesMatchTorchvisionAtResize20Crop16() {
        Map<String, Tensor> expected = ParityFixtures.tensors("images-expected.safetensors");
        ImagePreprocessor preprocessor = new ImagePreprocessor(new PreprocessingSpec(20, 16, false, List.of(),
                List.of()), TestImages.budget());
        assertThat(expected.keySet()).contains("photo.jpg", "photo.png", "grey.png", "alpha.png", "cmyk.jpg",
                "ycck.jpg", "exif-6.jpg", "exif-6.png", "small.png", "tall.png", "rgb16.png", "palette.png");

        double worst = 0;
        for (Map.Entry<String, Tensor> image : expected.entrySet()) {
            float[] tensor = preprocessor.apply(ParityFixtures.bytes("images/" + image.getKey()));
            double diff = ParityFixtures.maxAbsDiff(tensor, image.getValue().data());
            assertThat(diff).as(image.getKey()).isLessThanOrEqualTo(TOLERANCE);
            worst = Math.max(worst, diff);
        }
        System.out.printf("preprocessing parity, %d small images at 20/16: max abs diff %.3g%n", expected.size(),
                worst);
    }

    @Test
    void fullSizeImagesMatchTorchvisionAndGiveTheSameFeatures() throws IOException {
        Path fixtures = TorchvisionFixtures.full();
        Map<String, Tensor> expected = SafeTensors.read(Files.readAllBytes(
                fixtures.resolve("images-expected.safetensors")));
        PreprocessingSpec at256 = new PreprocessingSpec(256, 224, true, PreprocessingSpec.imagenet().mean(),
                PreprocessingSpec.imagenet().std());
        DecodeBudget budget = TestImages.budget();
        Map<String, ImagePreprocessor> variants = Map.of(
                "", new ImagePreprocessor(PreprocessingSpec.imagenet(), budget),
                "@256", new ImagePreprocessor(at256, budget),
                "@tutorial", new ImagePreprocessor(PreprocessingSpec.tutorial(), budget));

        List<String> names = new ArrayList<>();
        List<float[]> tensors = new ArrayList<>();
        double worst = 0;
        for (String key : expected.keySet()) {
            if (key.contains("#")) {
                continue;
            }
            String name = key.replaceAll("@.*", "");
            String variant = key.substring(name.length());
            float[] tensor = variants.get(variant).apply(Files.readAllBytes(fixtures.resolve("images").resolve(name)));
            double diff = ParityFixtures.maxAbsDiff(tensor, expected.get(key).data());
            assertThat(diff).as(key).isLessThanOrEqualTo(TOLERANCE);
            worst = Math.max(worst, diff);
            if (variant.isEmpty()) {
                names.add(name);
                tensors.add(tensor);
            }
        }
        System.out.printf("preprocessing parity, %d full-size images, Resize 255/256, CenterCrop 224, with and "
                + "without Normalize: max abs diff %.3g%n", names.size(), worst);

        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(),
                Device.cpu()).optArgument(BackboneCriteria.WEIGHTS, fixtures.resolve("densenet121-zip.pt")).build())) {
            float[][] features = backbone.features(tensors);
            double lowest = 1;
            for (int i = 0; i < names.size(); i++) {
                double cosine = Cosine.similarity(features[i], expected.get(names.get(i) + "#features").data());
                assertThat(cosine).as(names.get(i)).isGreaterThanOrEqualTo(0.999);
                lowest = Math.min(lowest, cosine);
            }
            System.out.printf("features of Java-preprocessed images vs torchvision's: lowest cosine similarity "
                    + "%.7f%n", lowest);
        }
    }
}
