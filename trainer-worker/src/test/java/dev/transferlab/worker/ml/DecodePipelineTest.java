package dev.transferlab.worker.ml;

import dev.transferlab.common.model.PreprocessingSpec;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecodePipelineTest {
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(
            new PreprocessingSpec(36, 32, true, PreprocessingSpec.imagenet().mean(), PreprocessingSpec.imagenet().std()),
            TestImages.budget());

    @Test
    void deliversEveryImageInInputOrderInFullBatchesAndSkipsTheUndecodable() {
        List<Integer> items = IntStream.range(0, 23).boxed().toList();
        List<Integer> delivered = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        new DecodePipeline<Integer>(PREPROCESSOR, 3, 5).run(items, i -> i % 7 == 3 ? new byte[] {1, 2, 3} : png(i),
                new DecodePipeline.Sink<>() {
                    @Override
                    public void batch(List<Integer> batch, List<float[]> images) {
                        assertThat(images).hasSameSizeAs(batch).allSatisfy(img -> assertThat(img).hasSize(3 * 32 * 32));
                        delivered.addAll(batch);
                        batchSizes.add(batch.size());
                    }

                    @Override
                    public void skipped(Integer item, String reason) {
                        skipped.add(item + " " + reason);
                    }
                });

        assertThat(skipped).hasSize(3).allSatisfy(s -> assertThat(s).contains("not in a known image format"));
        assertThat(delivered).containsExactlyElementsOf(items.stream().filter(i -> i % 7 != 3).toList());
        assertThat(batchSizes).containsExactly(5, 5, 5, 5);
    }

    @Test
    void hostileImagesAreSkippedWithTheirReasonAndTheRunGoesOn() {
        List<byte[]> files = List.of(png(0), HostileImages.pngNegativeLengthAfterIdat(),
                HostileImages.withJpegSize(HostileImages.cmykJpeg(16, 8), 13_300, 13_300), png(1));
        List<Integer> delivered = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        new DecodePipeline<Integer>(PREPROCESSOR, 2, 2).run(List.of(0, 1, 2, 3), files::get,
                new DecodePipeline.Sink<>() {
                    @Override
                    public void batch(List<Integer> batch, List<float[]> images) {
                        delivered.addAll(batch);
                    }

                    @Override
                    public void skipped(Integer item, String reason) {
                        skipped.add(item + ": " + reason);
                    }
                });

        assertThat(delivered).containsExactly(0, 3);
        assertThat(skipped).satisfiesExactly(
                png -> assertThat(png).startsWith("1: the PNG file is truncated or corrupt: chunk"),
                jpeg -> assertThat(jpeg).startsWith("2: image too large to decode: 13300x13300 CMYK JPEG"));
    }

    @Test
    void decodesInParallelButNeverHoldsMoreThanItsWindow() {
        DecodePipeline<Integer> pipeline = new DecodePipeline<>(PREPROCESSOR, 4, 2);
        AtomicInteger loaded = new AtomicInteger();
        AtomicInteger handed = new AtomicInteger();
        AtomicInteger mostAhead = new AtomicInteger();
        java.util.Set<String> threads = ConcurrentHashMap.newKeySet();

        pipeline.run(IntStream.range(0, 200).boxed().toList(), i -> {
            threads.add(Thread.currentThread().getName());
            mostAhead.accumulateAndGet(loaded.incrementAndGet() - handed.get(), Math::max);
            return png(i);
        }, new DecodePipeline.Sink<>() {
            @Override
            public void batch(List<Integer> batch, List<float[]> images) {
                sleep(2); // a slow backbone: the pool runs ahead as far as the window lets it
                handed.addAndGet(batch.size());
            }

            @Override
            public void skipped(Integer item, String reason) {
                handed.incrementAndGet();
            }
        });

        assertThat(handed.get()).isEqualTo(200);
        assertThat(mostAhead.get()).isLessThanOrEqualTo(pipeline.window()).isGreaterThan(2);
        assertThat(threads).hasSizeGreaterThan(1).allSatisfy(t -> assertThat(t).startsWith("image-decode-"));
    }

    @Test
    void aFailingLoaderEndsTheRunWithItsFailure() {
        assertThatThrownBy(() -> new DecodePipeline<Integer>(PREPROCESSOR, 2, 4).run(List.of(1, 2, 3), i -> {
            throw new IllegalStateException("store unreachable");
        }, new DecodePipeline.Sink<>() {
            @Override
            public void batch(List<Integer> batch, List<float[]> images) {
            }

            @Override
            public void skipped(Integer item, String reason) {
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("store unreachable");
    }

    static byte[] png(int seed) {
        BufferedImage image = new BufferedImage(40 + seed % 5, 36, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (seed * 7919 + x * 31 + y * 17) & 0xffffff);
            }
        }
        return TestImages.png(image);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
