package dev.transferlab.worker.jobs;

import ai.djl.Device;
import dev.transferlab.common.messages.ExtractionProgress;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.TestImages;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import dev.transferlab.worker.ml.LabelledFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DatasetFeaturesIT {
    private static final FeatureSettings SETTINGS = new FeatureSettings(4, 2, Duration.ZERO, TestImages.budget());
    private static final PreprocessingSpec PREPROCESSING = new PreprocessingSpec(40, 32, true,
            PreprocessingSpec.imagenet().mean(), PreprocessingSpec.imagenet().std());

    @TempDir
    static Path data;
    static S3Fixture s3;

    @BeforeAll
    static void start() {
        s3 = new S3Fixture(data);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aSecondRunReadsTheCacheAndTheBackboneDoesNoWork() {
        String location = s3.putDataset("datasets/it/cache-hit/", 6);
        s3.putCorruptImages("datasets/it/cache-hit/");
        ImageFolder dataset = new ImageFolderLister(s3.store).list(S3Fixture.request("j1", location,
                Hyperparameters.defaults()));
        LoadedBackbone backbone = backbone(5);
        List<ExtractionProgress> firstProgress = new ArrayList<>();

        DatasetFeatures.Result first = features(dataset, backbone, firstProgress::add);

        assertThat(first.fromCache()).isFalse();
        assertThat(first.table().size()).isEqualTo(12);
        ExtractionProgress last = firstProgress.get(firstProgress.size() - 1);
        assertThat(last.done()).isEqualTo(14).isEqualTo(last.total());
        assertThat(last.skipped()).isEqualTo(2);
        assertThat(last.skippedFiles()).anySatisfy(s -> assertThat(s).startsWith("train/red/truncated.png: "))
                .anySatisfy(s -> assertThat(s).startsWith("train/blue/not-really.jpg: "));
        assertThat(firstProgress).extracting(ExtractionProgress::done).isSorted().hasSizeGreaterThan(2);
        assertThat(s3.store.exists(s3.store.inDefaultBucket(StorageLayout.featureCache("default",
                dataset.contentHash(), backbone.sha256(), PREPROCESSING.fingerprint())))).isTrue();

        // A closed backbone fails any forward pass: the second run can only succeed without one.
        backbone.backbone().close();
        assertThatThrownBy(() -> backbone.backbone().features(List.of(new float[3 * 32 * 32])))
                .isInstanceOf(RuntimeException.class);
        List<ExtractionProgress> secondProgress = new ArrayList<>();
        DatasetFeatures.Result second = features(dataset, backbone, secondProgress::add);

        assertThat(second.fromCache()).isTrue();
        assertThat(secondProgress).isEmpty();
        assertThat(second.summary().skipped()).isEqualTo(2);
        assertSameFeatures(second.table().labelled(dataset.all()), first.table().labelled(dataset.all()));
    }

    @Test
    void twoWorkersComputingTheSameCacheAtOnceLeaveOneConsistentCache() throws Exception {
        String location = s3.putDataset("datasets/it/concurrent/", 10);
        ImageFolder dataset = new ImageFolderLister(s3.store).list(S3Fixture.request("j2", location,
                Hyperparameters.defaults()));
        // Both are held at their first batch until the other is there too: they really do compute at once.
        CyclicBarrier bothExtracting = new CyclicBarrier(2);
        List<Thread> waited = Collections.synchronizedList(new ArrayList<>());
        Consumer<ExtractionProgress> meet = p -> {
            if (!waited.contains(Thread.currentThread())) {
                waited.add(Thread.currentThread());
                try {
                    bothExtracting.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the other worker never started extracting", e);
                }
            }
        };
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            Future<DatasetFeatures.Result> a = workers.submit(() -> features(dataset, backbone(7), meet));
            Future<DatasetFeatures.Result> b = workers.submit(() -> features(dataset, backbone(7), meet));
            DatasetFeatures.Result first = a.get(3, TimeUnit.MINUTES);
            DatasetFeatures.Result second = b.get(3, TimeUnit.MINUTES);

            assertThat(first.fromCache()).isFalse();
            assertThat(second.fromCache()).isFalse();
            assertThat(first.cacheKey()).isEqualTo(second.cacheKey());
            LoadedBackbone closed = backbone(7);
            closed.backbone().close();
            DatasetFeatures.Result cached = features(dataset, closed, p -> {
                throw new AssertionError("no extraction expected");
            });
            assertThat(cached.fromCache()).isTrue();
            assertThat(cached.table().size()).isEqualTo(20);
            assertSameFeatures(cached.table().labelled(dataset.all()), first.table().labelled(dataset.all()));
            assertSameFeatures(cached.table().labelled(dataset.all()), second.table().labelled(dataset.all()));
        } finally {
            workers.shutdownNow();
        }
    }

    private static DatasetFeatures.Result features(ImageFolder dataset, LoadedBackbone backbone,
                                                   Consumer<ExtractionProgress> progress) {
        return new DatasetFeatures(s3.store, SETTINGS).features("default", dataset, backbone, PREPROCESSING,
                progress, () -> { });
    }

    private static LoadedBackbone backbone(long seed) {
        Backbone backbone = BackboneCriteria.randomDenseNet(S3Fixture.TINY, Device.cpu(), seed);
        return new LoadedBackbone(backbone, "random-init:seed=" + seed, backbone.sha256(), "random weights");
    }

    private static void assertSameFeatures(LabelledFeatures actual, LabelledFeatures expected) {
        assertThat(actual.labels()).containsExactly(expected.labels());
        for (int i = 0; i < expected.size(); i++) {
            for (int j = 0; j < expected.featureSize(); j++) {
                assertThat(actual.features()[i][j]).isCloseTo(expected.features()[i][j], within(1e-5f));
            }
        }
    }
}
