package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.transferlab.stack.SharedStack.awaitPhase;
import static dev.transferlab.stack.SharedStack.follow;
import static dev.transferlab.stack.SharedStack.last;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.submit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform end to end, as its users drive it: a real Kafka broker, a real S3 server, the api-service and a
 * trainer-worker in their own processes, and nothing but HTTP (and Kafka, for the dead-letter check) from here.
 * A tiny DenseNet keeps training within seconds on a CPU.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class PlatformIT {
    private static Stack stack;
    private static ApiClient api;
    private static ObjectStore store;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.stack();
        api = SharedStack.api();
        store = SharedStack.store();
    }

    @Test
    void trainsWithLiveProgressStoresTheModelAndPredictsHeldOutImages() {
        String dataset = putDataset("two-classes", SampleImages.CLASSES, 20);
        String jobId = submit(dataset, 6, 8);

        List<ApiClient.SseEvent> events = follow(jobId);

        assertThat(events).extracting(ApiClient.SseEvent::name).first().isEqualTo("accepted");
        assertThat(events).extracting(ApiClient.SseEvent::name).last().isEqualTo("completed");
        assertThat(events).extracting(ApiClient.SseEvent::id).doesNotHaveDuplicates();
        List<JsonNode> epochs = events.stream().filter(e -> e.name().equals("epoch-completed"))
                .map(e -> e.data().get("metrics")).toList();
        assertThat(epochs).extracting(m -> m.get("epoch").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(epochs.get(5).get("trainLoss").asDouble()).isLessThan(epochs.get(0).get("trainLoss").asDouble());
        assertThat(epochs).allSatisfy(m -> {
            assertThat(m.get("imagesPerSecond").asDouble()).isPositive();
            assertThat(m.get("validationAccuracy").asDouble()).isBetween(0.0, 1.0);
        });

        String modelId = events.get(events.size() - 1).data().get("modelId").asText();
        for (String artifact : List.of(StorageLayout.modelManifest("default", modelId),
                StorageLayout.modelHeadWeights("default", modelId), StorageLayout.modelMetrics("default", modelId))) {
            assertThat(store.exists(store.inDefaultBucket(artifact))).as(artifact).isTrue();
        }

        ApiClient.Answer job = api.get("/v1/training-jobs/" + jobId);
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.body().get("state").asText()).isEqualTo("completed");
        assertThat(job.body().get("latestMetrics").get("epoch").asInt()).isEqualTo(6);

        ApiClient.Answer model = api.get("/v1/models/" + modelId);
        assertThat(model.status()).isEqualTo(200);
        assertThat(model.body().get("classes")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(SampleImages.CLASSES);

        int correct = 0;
        int total = 0;
        for (String truth : SampleImages.CLASSES) {
            for (int i = 0; i < 5; i++) {
                ApiClient.Answer answer = api.postBytes("/v1/models/" + modelId + "/predictions",
                        SampleImages.png(truth, 50_000 + i), "image/png");
                assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
                double sum = 0;
                for (JsonNode p : answer.body().get("predictions")) {
                    sum += p.get("probability").asDouble();
                }
                assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                correct += answer.body().get("label").asText().equals(truth) ? 1 : 0;
                total++;
            }
        }
        assertThat((double) correct / total).as("held-out accuracy").isGreaterThanOrEqualTo(0.8);

        // A client that connects after the end still gets the whole history, then the stream ends.
        assertThat(follow(jobId)).extracting(ApiClient.SseEvent::id)
                .containsExactlyElementsOf(events.stream().map(ApiClient.SseEvent::id).toList());
    }

    @Test
    void bothServicesExposeMetricsAndReadinessThatCoverKafkaAndObjectStorage() throws InterruptedException {
        Scrape workerBefore = Scrape.of(stack.workerUrl());
        Scrape apiBefore = Scrape.of(stack.apiUrl());
        int images = 2 * 6;
        // Images no other test uses, so that their features are computed, not read from the cache.
        String jobId = submit(putDataset("metrics", SampleImages.CLASSES, 6, 7_000), 4, 4);
        assertThat(last(follow(jobId)).get("type").asText()).isEqualTo("completed");
        for (int i = 0; i < 3; i++) {
            assertThat(api.postBytes("/v1/models/" + jobId + "/predictions", SampleImages.png("ocean", 90_000 + i),
                    "image/png").status()).isEqualTo(200);
        }
        Scrape worker = Scrape.of(stack.workerUrl());
        Scrape apiAfter = Scrape.of(stack.apiUrl());

        // The worker: this job's 4 epochs, its extraction, its outcome and the 3 predictions (nothing else ran).
        assertThat(delta(workerBefore, worker, "transferlab_training_epoch_seconds_count")).isEqualTo(4);
        assertThat(delta(workerBefore, worker, "transferlab_training_epoch_seconds_sum")).isPositive();
        assertThat(delta(workerBefore, worker, "transferlab_features_images_per_second_count")).isEqualTo(1);
        assertThat(worker.value("transferlab_features_images_per_second_max")).isPositive();
        assertThat(delta(workerBefore, worker, "transferlab_features_images_total")).isEqualTo(images);
        assertThat(delta(workerBefore, worker, "transferlab_jobs_run_total", "outcome", "completed")).isEqualTo(1);
        assertThat(worker.matching("transferlab_jobs_run_total")).extracting(s -> s.labels().get("outcome"))
                .contains("completed", "failed", "cancelled", "released", "not-started", "already-done");
        assertThat(delta(workerBefore, worker, "transferlab_inference_seconds_count", "outcome", "ok"))
                .isEqualTo(3);
        // The api-service: jobs by state from its projection, and predictions from request to reply.
        assertThat(apiAfter.value("transferlab_jobs", "state", "completed")).isGreaterThanOrEqualTo(1);
        assertThat(apiAfter.matching("transferlab_jobs")).extracting(s -> s.labels().get("state"))
                .containsExactlyInAnyOrder("queued", "running", "completed", "failed", "cancelled");
        assertThat(delta(apiBefore, apiAfter, "transferlab_predictions_seconds_count", "outcome", "ok"))
                .isEqualTo(3);
        assertThat(apiAfter.value("transferlab_predictions_seconds_sum", "outcome", "ok")).isPositive();
        assertThat(apiAfter.matching("transferlab_sse_followers")).hasSize(1);
        // Kafka's own client metrics, consumer lag included, on both.
        for (Scrape scrape : List.of(worker, apiAfter)) {
            assertThat(scrape.matching("kafka_consumer_fetch_manager_records_lag_max")).isNotEmpty();
            assertThat(scrape.matching("kafka_producer_record_send_total")).isNotEmpty();
        }
        assertThat(trainingQueueLag(stack.workerUrl()))
                .extracting(s -> s.labels().get("client_id")).contains("kafka-consumer-training-requests");
        System.out.printf("PlatformIT metrics: epoch timer count %.0f sum %.3f s; extraction %.1f images/s; worker "
                        + "inference ok count %.0f sum %.3f s; api predictions ok count %.0f sum %.3f s; lag max %s%n",
                worker.value("transferlab_training_epoch_seconds_count"),
                worker.value("transferlab_training_epoch_seconds_sum"),
                worker.value("transferlab_features_images_per_second_max"),
                worker.value("transferlab_inference_seconds_count", "outcome", "ok"),
                worker.value("transferlab_inference_seconds_sum", "outcome", "ok"),
                apiAfter.value("transferlab_predictions_seconds_count", "outcome", "ok"),
                apiAfter.value("transferlab_predictions_seconds_sum", "outcome", "ok"),
                worker.matching("kafka_consumer_fetch_manager_records_lag_max"));

        for (String service : List.of(stack.apiUrl(), stack.workerUrl())) {
            ApiClient.Answer ready = new ApiClient(service).get("/q/health/ready");
            assertThat(ready.status()).as(service + " " + ready.body()).isEqualTo(200);
            List<JsonNode> checks = new ArrayList<>();
            ready.body().get("checks").forEach(checks::add);
            assertThat(checks).as(service + " " + ready.body()).anySatisfy(check -> {
                assertThat(check.get("name").asText()).isEqualTo("object-storage");
                assertThat(check.get("status").asText()).isEqualTo("UP");
            }).anySatisfy(check -> {
                assertThat(check.get("name").asText()).containsIgnoringCase("messaging");
                assertThat(check.get("status").asText()).isEqualTo("UP");
                assertThat(check.get("data").toString()).contains("training-events");
            });
        }
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    @Test
    void aJobBringsItsOwnTorchScriptBackboneAndPredictionsRebuildIt() throws Exception {
        // The same tiny DenseNet, scripted by torch (see trainer-worker/src/test/python/parity_fixtures.py).
        byte[] module = java.nio.file.Files.readAllBytes(Path.of(
                "../../trainer-worker/src/test/resources/parity/torchscript-tiny-densenet.pt"));
        store.put(store.inDefaultBucket("uploads/default/tiny-densenet.pt"), module, "application/octet-stream");
        String dataset = putDataset("byo-backbone", SampleImages.CLASSES, 8);
        ApiClient.Answer answer = api.postJson("/v1/training-jobs", """
                {"dataset": "%s", "epochs": 3, "batchSize": 8, "hiddenUnits": 16,
                 "backbone": {"name": "torchscript", "weights": "s3://%s/uploads/default/tiny-densenet.pt"},
                 "preprocessing": {"resize": 256, "normalize": false}}""".formatted(dataset, Stack.BUCKET));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);

        List<ApiClient.SseEvent> events = follow(answer.body().get("id").asText());

        assertThat(events).extracting(ApiClient.SseEvent::name).last().isEqualTo("completed");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(module));
        JsonNode model = api.get("/v1/models/" + last(events).get("modelId").asText()).body();
        assertThat(model.get("backbone").get("name").asText()).isEqualTo("torchscript");
        assertThat(model.get("backboneWeights").asText())
                .isEqualTo("s3://" + Stack.BUCKET + "/backbones/sha256/" + sha);
        assertThat(model.get("backboneSha256").asText()).isEqualTo(sha);
        assertThat(model.get("preprocessing").get("resize").asInt()).isEqualTo(256);
        assertThat(model.get("preprocessing").get("normalize").asBoolean()).isFalse();
        ApiClient.Answer prediction = api.postBytes("/v1/models/" + model.get("modelId").asText() + "/predictions",
                SampleImages.png("sunset", 80_000), "image/png");
        assertThat(prediction.status()).as(prediction.body().toString()).isEqualTo(200);
        assertThat(prediction.body().get("predictions")).hasSize(2);
    }

    @Test
    void unknownJobsAndModelsAre404ProblemDetails() {
        for (String path : List.of("/v1/training-jobs/job-nope", "/v1/training-jobs/job-nope/events",
                "/v1/models/nope")) {
            ApiClient.Answer answer = api.get(path);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.contentType()).as(path).startsWith("application/problem+json");
            assertThat(answer.body().get("status").asInt()).isEqualTo(404);
        }
        ApiClient.Answer predict = api.postBytes("/v1/models/nope/predictions", SampleImages.png("ocean", 1),
                "image/png");
        assertThat(predict.status()).isEqualTo(404);
    }

    @Test
    void badRequestBodiesAre400NamingTheField() {
        ApiClient.Answer outOfRange = api.postJson("/v1/training-jobs",
                "{\"dataset\": \"datasets/x/\", \"epochs\": 0, \"learningRate\": -1}");
        assertThat(outOfRange.status()).isEqualTo(400);
        assertThat(outOfRange.contentType()).startsWith("application/problem+json");
        assertThat(outOfRange.body().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("epochs", "learningRate");

        ApiClient.Answer wrongType = api.postJson("/v1/training-jobs", "{\"dataset\": \"d/\", \"epochs\": \"ten\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.contentType()).startsWith("application/problem+json");
        assertThat(wrongType.body().get("errors")).extracting(e -> e.get("field").asText()).containsExactly("epochs");

        ApiClient.Answer badBackbone = api.postJson("/v1/training-jobs",
                "{\"dataset\": \"d/\", \"backbone\": {\"name\": \"resnet\", \"blockConfig\": [0]}}");
        assertThat(badBackbone.status()).isEqualTo(400);
        assertThat(badBackbone.body().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("backbone.name", "backbone.blockConfig[0]");

        ApiClient.Answer noModule = api.postJson("/v1/training-jobs",
                "{\"dataset\": \"d/\", \"backbone\": {\"name\": \"torchscript\"}}");
        assertThat(noModule.status()).isEqualTo(400);
        assertThat(noModule.body().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactly("backbone.weights");
        ApiClient.Answer localFile = api.postJson("/v1/training-jobs", "{\"dataset\": \"d/\", \"backbone\": "
                + "{\"name\": \"torchscript\", \"weights\": \"file:///etc/passwd\", \"sha256\": \"abc\"}}");
        assertThat(localFile.status()).isEqualTo(400);
        assertThat(localFile.body().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("backbone.weights", "backbone.sha256");
        ApiClient.Answer weightsForDenseNet = api.postJson("/v1/training-jobs", "{\"dataset\": \"d/\", "
                + "\"backbone\": {\"name\": \"densenet121\", \"weights\": \"s3://b/w.pth\"}}");
        assertThat(weightsForDenseNet.status()).isEqualTo(400);
        assertThat(weightsForDenseNet.body().get("detail").asText()).contains("only for a torchscript backbone");

        ApiClient.Answer malformed = api.postJson("/v1/training-jobs", "{\"dataset\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");

        ApiClient.Answer missing = api.postJson("/v1/training-jobs", "{\"epochs\": 3}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("errors")).extracting(e -> e.get("field").asText()).contains("dataset");
    }

    @Test
    void badDatasetsFailWithAReasonAndTheWorkerGoesOn() {
        String missing = submit("s3://" + Stack.BUCKET + "/datasets/default/does-not-exist/", 2, 4);
        JsonNode failed = last(follow(missing));
        assertThat(failed.get("type").asText()).isEqualTo("failed");
        assertThat(failed.get("reason").asText()).contains("no images found");

        String oneClass = submit(putDataset("one-class", List.of("ocean"), 4), 2, 4);
        JsonNode failedToo = last(follow(oneClass));
        assertThat(failedToo.get("type").asText()).isEqualTo("failed");
        assertThat(failedToo.get("reason").asText()).contains("only one class");

        String good = submit(putDataset("after-failures", SampleImages.CLASSES, 4), 1, 4);
        assertThat(last(follow(good)).get("type").asText()).isEqualTo("completed");
    }

    @Test
    void predictionsRefuseBodiesThatAreNotImages() {
        String modelId = last(follow(submit(putDataset("for-bad-images", SampleImages.CLASSES, 4), 1, 4)))
                .get("modelId").asText();
        ApiClient.Answer text = api.postBytes("/v1/models/" + modelId + "/predictions",
                "hello".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.contentType()).startsWith("application/problem+json");

        byte[] png = SampleImages.png("ocean", 3);
        byte[] truncated = java.util.Arrays.copyOf(png, 60);
        ApiClient.Answer corrupt = api.postBytes("/v1/models/" + modelId + "/predictions", truncated, "image/png");
        assertThat(corrupt.status()).isEqualTo(422);
        assertThat(corrupt.body().get("detail").asText()).contains("cannot be decoded");
    }

    @Test
    void malformedCommandsAreDeadLetteredAndTheConsumerGoesOn() {
        String poison = "this is not a training request " + Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.infra().kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, "poison", poison));
        }
        Optional<ConsumerRecord<String, String>> dead = findDeadLetter(poison, Duration.ofSeconds(60));
        assertThat(dead).isPresent();
        assertThat(new String(dead.get().headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("not JSON");

        String good = submit(putDataset("after-poison", SampleImages.CLASSES, 4), 1, 4);
        assertThat(last(follow(good)).get("type").asText()).isEqualTo("completed");
    }

    @Test
    void aLongJobNeitherBlocksPredictionsNorIsRedelivered() throws Exception {
        String modelId = last(follow(submit(putDataset("before-long", SampleImages.CLASSES, 4), 1, 4)))
                .get("modelId").asText();
        String longJob = submit(putDataset("long", SampleImages.CLASSES, 8), 400, 2);
        awaitPhase(longJob, "epoch ");

        for (int i = 0; i < 3; i++) {
            ApiClient.Answer answer = api.postBytes("/v1/models/" + modelId + "/predictions",
                    SampleImages.png("ocean", 70_000 + i), "image/png");
            assertThat(answer.status()).isEqualTo(200);
        }
        assertThat(new ApiClient(stack.workerUrl()).get("/q/health").status()).isEqualTo(200);
        assertThat(api.get("/v1/training-jobs/" + longJob).body().get("state").asText())
                .as("predictions were answered while the job was still training").isEqualTo("running");

        List<ApiClient.SseEvent> events = follow(longJob);
        assertThat(last(events).get("type").asText()).isEqualTo("completed");
        assertThat(events.stream().filter(e -> e.name().equals("epoch-completed")).count()).isEqualTo(400);
        String log = java.nio.file.Files.readString(stack.worker().log());
        assertThat(log.split(java.util.regex.Pattern.quote("job " + longJob + ": training on"), -1))
                .as("the job ran exactly once").hasSize(2);
    }

    private Optional<ConsumerRecord<String, String>> findDeadLetter(String value, Duration timeout) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.infra().kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.DEAD_LETTERS));
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (value.equals(record.value())) {
                        return Optional.of(record);
                    }
                }
            }
        }
        return Optional.empty();
    }


    /**
     * The worker's training-queue lag, once Micrometer shows it. Its Kafka binder reads each client's metrics every
     * 60 s, and drops a meter's series without topic and partition tags (all clients' series of that name, in the
     * one registry) as soon as any consumer reports the per-partition series: so after the first fetch of some
     * consumer, the training consumer's series is missing until its binder's next refresh after its own first fetch
     * from its partition. The job this test ran has made that fetch; the series follows within one refresh.
     */
    private static List<Scrape.Sample> trainingQueueLag(String workerUrl) throws InterruptedException {
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(90));
        List<Scrape.Sample> lag;
        do {
            lag = Scrape.of(workerUrl).matching("kafka_consumer_fetch_manager_records_lag_max").stream()
                    .filter(s -> "kafka-consumer-training-requests".equals(s.labels().get("client_id"))).toList();
            if (lag.isEmpty()) {
                Thread.sleep(1000);
            }
        } while (lag.isEmpty() && Instant.now().isBefore(giveUp));
        return lag;
    }
}
