package dev.transferlab.worker.messaging;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.model.PreprocessingSpec;
import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Config;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.worker.backbone.BackboneProvider;
import dev.transferlab.worker.backbone.BackboneSettings;
import dev.transferlab.worker.backbone.BackboneWeightsStore;
import dev.transferlab.worker.backbone.LoadedBackbone;
import dev.transferlab.worker.inference.DynamicBatcher;
import dev.transferlab.worker.inference.ModelPredictor;
import dev.transferlab.worker.jobs.BatchPredictionJob;
import dev.transferlab.worker.jobs.Cancellations;
import dev.transferlab.worker.jobs.Draining;
import dev.transferlab.worker.jobs.FeatureSettings;
import dev.transferlab.worker.jobs.ModelRepository;
import dev.transferlab.worker.jobs.SweepJob;
import dev.transferlab.worker.jobs.TrialSegments;
import dev.transferlab.worker.jobs.TrainingJob;
import dev.transferlab.worker.ml.Backbone;
import dev.transferlab.worker.ml.BatchSizeCalibration;
import dev.transferlab.worker.ml.DecodeBudget;
import dev.transferlab.worker.ml.DecodePipeline;
import dev.transferlab.worker.ml.Devices;
import dev.transferlab.worker.ml.StopCheck;
import dev.transferlab.worker.ml.zoo.BackboneCriteria;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** Wires the framework-free engine to this service's configuration. */
@ApplicationScoped
public class WorkerComponents {
    private static final Logger LOG = Logger.getLogger(WorkerComponents.class);

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(S3Config config) {
        S3Settings settings = config.settings();
        ObjectStore store = new ObjectStore(settings);
        store.ensureBucket(settings.bucket());
        return store;
    }

    void closeStore(@Disposes ObjectStore store) {
        store.close();
    }

    /** The type backbones compute in: fp32, or fp16 with their parameters and inputs cast. */
    @Produces
    @Singleton
    DataType precision(Device device, FeatureConfig config) {
        String preference = config.precision();
        DataType precision = Devices.precision(preference);
        if (precision == DataType.FLOAT16 && !device.isGpu()) {
            LOG.warnf("fp16 on %s: libtorch runs it, but slower than fp32 on a CPU (README, \"Batch size and "
                    + "precision\")", device);
        }
        LOG.infof("backbones compute in %s (transferlab.features.precision=%s)", precision, preference);
        return precision;
    }

    /**
     * Every job's feature settings. A batch size of "auto" is calibrated here, once, on a DenseNet121 with random
     * weights on this worker's device and precision: the same network the configured weights fill, and its speed does
     * not depend on their values.
     */
    @Produces
    @Singleton
    FeatureSettings featureSettings(Device device, DataType precision, DecodeBudget budget, FeatureConfig config) {
        String batchSize = config.batchSize();
        int decodeThreads = config.decodeThreads();
        OptionalInt pinned = FeatureSettings.pinnedBatchSize(batchSize);
        int size = pinned.isPresent() ? pinned.getAsInt() : calibrate(device, precision);
        int threads = decodeThreads > 0 ? decodeThreads : DecodePipeline.defaultThreads();
        LOG.infof("features: batches of %d images (%s=%s), %d decoding threads", size, FeatureSettings.BATCH_SIZE,
                batchSize, threads);
        return new FeatureSettings(size, threads, config.progressInterval(), budget);
    }

    private static int calibrate(Device device, DataType precision) {
        try (Backbone backbone = BackboneCriteria.load(BackboneCriteria.denseNet(BackboneSpec.densenet121(), device)
                .optArgument(BackboneCriteria.RANDOM_SEED, 0L).build(), precision)) {
            BatchSizeCalibration.Result result = BatchSizeCalibration.forDevice(backbone,
                    PreprocessingSpec.imagenet().crop()).run(backbone);
            LOG.infof("batch size calibrated on densenet121 (%s, %s): %d%n%s", device, precision,
                    result.batchSize(), result.table());
            return result.batchSize();
        }
    }

    /**
     * A bad feature setting stops the start whatever the worker's roles (the precision is resolved by being
     * injected); a training worker calibrates its batch size now, not at its first job, and then builds the
     * backbone jobs train on by default in the background (README, "Where a job's seconds go"), so that the first
     * job does not wait for it: that job joins the build if it is still under way. The backbone's part of the models'
     * exports is stored then too, for the same reason.
     */
    void checkFeatureSettings(@Observes StartupEvent event, DataType precision, FeatureConfig features,
                              WorkerConfig roles, BackboneConfig backboneConfig, Instance<FeatureSettings> settings,
                              Instance<BackboneProvider> backbones, Instance<ModelRepository> models) {
        FeatureSettings.pinnedBatchSize(features.batchSize());
        if (roles.training()) {
            settings.get();
            if (backboneConfig.preload()) {
                Thread preload = new Thread(() -> preload(backbones.get(), models.get()), "backbone-preload");
                preload.setDaemon(true);
                preload.start();
            }
        }
    }

    private static void preload(BackboneProvider backbones, ModelRepository models) {
        LoadedBackbone backbone;
        try {
            backbone = backbones.forTraining(BackboneSpec.densenet121(), StopCheck.NEVER);
            LOG.infof("densenet121 ready for jobs (weights %s)", backbone.origin());
        } catch (RuntimeException e) {
            LOG.infof("densenet121 was not built ahead of the first job, which will try itself: %s", e.getMessage());
            return;
        }
        try {
            models.exports().ensureStored(BackboneSpec.densenet121(), backbone.weightsSource(), backbone.sha256());
        } catch (RuntimeException e) {
            LOG.infof("the export part of densenet121 was not stored ahead of the first model, which will try "
                    + "itself: %s", e.getMessage());
        }
    }

    /** A singleton, not a client proxy: DJL looks devices up by class and equality. */
    @Produces
    @Singleton
    Device device(@ConfigProperty(name = "transferlab.device") String preference) {
        Device device = Devices.select(preference);
        LOG.infof("training and inference run on %s (transferlab.device=%s)", device, preference);
        return device;
    }

    @Produces
    @ApplicationScoped
    BackboneProvider backbones(ObjectStore store, Device device, DataType precision, BackboneConfig config) {
        BackboneSettings settings = config.settings();
        if (settings.denseNet121Weights().isEmpty() && settings.allowRandom()) {
            LOG.warn("no backbone weights configured: backbones get RANDOM weights; predictions will be poor");
        }
        Path cache = config.cacheDir().map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "transferlab-backbones"));
        return new BackboneProvider(new BackboneWeightsStore(store, cache), device, precision, settings);
    }

    void closeBackbones(@Disposes BackboneProvider backbones) {
        backbones.close();
    }

    @Produces
    @ApplicationScoped
    ModelRepository models(ObjectStore store) {
        return new ModelRepository(store);
    }

    @Produces
    @ApplicationScoped
    Cancellations cancellations() {
        return new Cancellations();
    }

    @Produces
    @ApplicationScoped
    Draining draining() {
        return new Draining();
    }

    /** One budget for all the worker's decodes: its training job's pipeline and its predictions. */
    @Produces
    @ApplicationScoped
    DecodeBudget decodeBudget(DecodeConfig config) {
        DecodeBudget decodeBudget = new DecodeBudget(config.maxImageBytes().asLongValue(),
                config.budgetBytes().asLongValue());
        LOG.infof("image decoding: at most %d MiB per image, %d MiB for all decodes at once",
                decodeBudget.maxImageBytes() >> 20, decodeBudget.budgetBytes() >> 20);
        return decodeBudget;
    }

    @Produces
    @ApplicationScoped
    TrainingJob trainingJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                            Cancellations cancellations, Draining draining, WorkerMetrics metrics,
                            FeatureSettings features, DatasetGrants grants) {
        if (!grants.byTenant().isEmpty()) {
            LOG.infof("dataset grants, besides each tenant's own datasets area: %s", grants.byTenant());
        }
        return new TrainingJob(store, backbones, models, device, cancellations, draining,
                features, new DatasetAccess(store.defaultBucket(), grants.byTenant()), metrics, workerName());
    }

    @Produces
    @ApplicationScoped
    BatchPredictionJob batchPredictionJob(ObjectStore store, BackboneProvider backbones, ModelRepository models,
                                          Device device, Cancellations cancellations, Draining draining,
                                          FeatureSettings features, DatasetGrants grants,
                                          BatchPredictionConfig config) {
        return new BatchPredictionJob(store, backbones, models, device, cancellations, draining,
                new FeatureSettings(features.batchSize(), features.decodeThreads(), Duration.ZERO,
                        features.decodeBudget()),
                new DatasetAccess(store.defaultBucket(), grants.byTenant()), config.partSize(),
                workerName());
    }

    @Produces
    @ApplicationScoped
    SweepJob sweepJob(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                      Cancellations cancellations, Draining draining, FeatureSettings features, DatasetGrants grants,
                      KafkaTrialQueue queue) {
        return new SweepJob(store, backbones, models, device, cancellations, draining, features,
                new DatasetAccess(store.defaultBucket(), grants.byTenant()), queue, workerName());
    }

    @Produces
    @ApplicationScoped
    TrialSegments trialSegments(ObjectStore store, BackboneProvider backbones, ModelRepository models, Device device,
                                Cancellations cancellations, Draining draining, FeatureSettings features,
                                DatasetGrants grants, SweepConfig config) {
        LOG.infof("sweeps: this worker trains %d trials at a time", config.parallelism());
        return new TrialSegments(store, backbones, models, device, cancellations, draining, features,
                new DatasetAccess(store.defaultBucket(), grants.byTenant()), workerName());
    }

    /** How events name this worker: its host (the pod, on Kubernetes) and process. */
    private static String workerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown host");
        }
        return "trainer-worker " + host + " (pid " + ProcessHandle.current().pid() + ")";
    }

    @Produces
    @ApplicationScoped
    ModelPredictor predictor(ModelRepository models, BackboneProvider backbones, Device device, DecodeBudget budget,
                             InferenceConfig config, MeterRegistry registry) {
        ModelPredictor predictor = new ModelPredictor(models, backbones, device, budget, config.modelCacheSize(),
                new DynamicBatcher.Settings(config.batching().maxBatchSize(), config.batching().maxDelay()));
        FunctionCounter.builder("transferlab.inference.forward.passes", predictor, ModelPredictor::forwardPasses)
                .description("Forward passes run for predictions (each one a dynamic batch)").register(registry);
        FunctionCounter.builder("transferlab.inference.batched.images", predictor, ModelPredictor::imagesBatched)
                .description("Images through those forward passes").register(registry);
        return predictor;
    }

    @Produces
    @ApplicationScoped
    InferencePool inferencePool(InferenceConfig config) {
        return new InferencePool(config.threads(), config.queueSize());
    }

    void closeInferencePool(@Disposes InferencePool pool) {
        pool.close();
    }

    void closePredictor(@Disposes ModelPredictor predictor) {
        predictor.close();
    }
}
