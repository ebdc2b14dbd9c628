package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

import static dev.transferlab.stack.SharedStack.api;
import static dev.transferlab.stack.SharedStack.last;
import static dev.transferlab.stack.SharedStack.putDataset;
import static dev.transferlab.stack.SharedStack.stack;
import static dev.transferlab.stack.SharedStack.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ways to ask a model beside one image per request, each through a real worker and checked against /v1's answer
 * for the same image: many images in one request, the Open Inference Protocol (KServe v2), and an image large enough
 * to travel by claim check.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ServingProtocolsIT {
    private static final String PAYLOADS = "inference-payloads/";
    private static String modelId;

    @BeforeAll
    static void trainAModel() {
        String dataset = putDataset("serving-protocols", SampleImages.CLASSES, 8, 7_000);
        String jobId = SharedStack.submit(dataset, 2, 8);
        JsonNode completed = last(SharedStack.follow(jobId));
        assertThat(completed.path("type").asText()).as(completed.toString()).isEqualTo("completed");
        modelId = completed.get("modelId").asText();
    }

    @Test
    void manyImagesAnswerOneResultEachInOrderAndABadOneFailsAlone() {
        List<byte[]> good = List.of(SampleImages.png("ocean", 71), SampleImages.png("sunset", 72),
                SampleImages.png("ocean", 73));
        byte[] truncated = Arrays.copyOf(SampleImages.png("sunset", 74), 60);
        List<byte[]> images = List.of(good.get(0), truncated, good.get(1), good.get(2));

        ApiClient.Answer answer = postImages(images);

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        JsonNode results = answer.body().get("results");
        assertThat(results).hasSize(4);
        assertThat(results.get(1).get("status").asInt()).as(results.get(1).toString()).isEqualTo(422);
        assertThat(results.get(1).has("label")).isFalse();
        int[] goodAt = {0, 2, 3};
        for (int i = 0; i < good.size(); i++) {
            JsonNode single = predictV1(good.get(i));
            JsonNode result = results.get(goodAt[i]);
            assertThat(result.get("label").asText()).isEqualTo(single.get("label").asText());
            assertThat(result.get("probability").asDouble()).as("image %d in its place", i)
                    .isCloseTo(single.get("probability").asDouble(), within(1e-6));
        }
    }

    @Test
    void openInferenceGivesTheProbabilitiesOfV1() {
        byte[] image = SampleImages.png("sunset", 81);
        JsonNode single = predictV1(image);
        JsonNode manifest = api().get("/v1/models/" + modelId).body();

        ApiClient.Answer infer = api().postJson("/v2/models/" + modelId + "/infer", inferBody(image));

        assertThat(infer.status()).as(infer.body().toString()).isEqualTo(200);
        assertThat(infer.body().get("model_name").asText()).isEqualTo(modelId);
        JsonNode probabilities = infer.body().get("outputs").get(0);
        assertThat(probabilities.get("name").asText()).isEqualTo("probabilities");
        assertThat(probabilities.get("datatype").asText()).isEqualTo("FP32");
        assertThat(probabilities.get("shape")).extracting(JsonNode::asInt).containsExactly(1, 2);
        Map<String, Double> byClass = new LinkedHashMap<>();
        single.get("predictions").forEach(p -> byClass.put(p.get("className").asText(),
                p.get("probability").asDouble()));
        for (int c = 0; c < 2; c++) {
            String className = manifest.get("classes").get(c).asText();
            assertThat(probabilities.get("data").get(c).asDouble()).as(className)
                    .isCloseTo(byClass.get(className), within(1e-6));
        }
        JsonNode labels = infer.body().get("outputs").get(1);
        assertThat(labels.get("datatype").asText()).isEqualTo("BYTES");
        assertThat(labels.get("data").get(0).asText()).isEqualTo(single.get("label").asText());

        JsonNode metadata = api().get("/v2/models/" + modelId).body();
        assertThat(metadata.get("outputs").get(0).get("shape")).extracting(JsonNode::asInt).containsExactly(-1, 2);
        assertThat(api().get("/v2/models/" + modelId + "/ready").body().get("ready").asBoolean()).isTrue();
    }

    @Test
    void openInferenceKeepsV1sAuthenticationAndTenants() {
        ApiClient anonymous = new ApiClient(stack().apiUrl());
        assertThat(anonymous.get("/v2/health/live").status()).as("health is open").isEqualTo(200);
        assertThat(anonymous.get("/v2/health/ready").status()).isEqualTo(200);
        assertThat(anonymous.get("/v2").body().get("name").asText()).isEqualTo("transferlab-api");
        String body = inferBody(SampleImages.png("ocean", 91));

        ApiClient.Answer noToken = anonymous.postJson("/v2/models/" + modelId + "/infer", body);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.contentType()).startsWith("application/json");
        assertThat(noToken.body().get("error").asText()).contains("bearer token");
        ApiClient.Answer forged = anonymous.withTokens(() -> "not-a-token").postJson("/v2/models/" + modelId
                + "/infer", body);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.body().has("error")).as(forged.body().toString()).isTrue();

        // bob is globex's: the default tenant's model is not his to see.
        ApiClient bob = stack().apiAs(DemoRealm.BOB);
        for (ApiClient.Answer answer : List.of(bob.postJson("/v2/models/" + modelId + "/infer", body),
                bob.get("/v2/models/" + modelId), bob.get("/v2/models/" + modelId + "/ready"))) {
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(404);
            assertThat(answer.body().get("error").asText()).isEqualTo("no model with id '" + modelId + "'");
        }
    }

    @Test
    void aLargeImageTravelsByClaimCheckPredictsAsItsSmallTwinAndLeavesNothingBehind() throws Exception {
        byte[] small = SampleImages.png("ocean", 101);
        // The same pixels, with 400 KiB of a private ancillary chunk that decoders skip: over the 256 KiB threshold.
        byte[] large = withAncillaryChunk(small, 400 * 1024);
        assertThat(small.length).isLessThan(256 * 1024);

        JsonNode inline = predictV1(small);
        JsonNode claimChecked = predictV1(large);
        JsonNode v2 = api().postJson("/v2/models/" + modelId + "/infer", inferBody(large)).body();

        assertThat(claimChecked.get("label").asText()).isEqualTo(inline.get("label").asText());
        assertThat(claimChecked.get("probability").asDouble()).isCloseTo(inline.get("probability").asDouble(),
                within(1e-9));
        assertThat(v2.get("outputs").get(1).get("data").get(0).asText()).isEqualTo(inline.get("label").asText());
        Instant deadline = Instant.now().plusSeconds(10);
        while (!store().list(store().inDefaultBucket(PAYLOADS)).isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(store().list(store().inDefaultBucket(PAYLOADS))).as("no payload left behind").isEmpty();
    }

    private static JsonNode predictV1(byte[] image) {
        ApiClient.Answer answer = api().postBytes("/v1/models/" + modelId + "/predictions", image, "image/png");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private static String inferBody(byte[] image) {
        return "{\"id\": \"it-1\", \"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], "
                + "\"data\": [\"" + Base64.getEncoder().encodeToString(image) + "\"]}]}";
    }

    /** A multipart body with one field {@code images} per image, as {@code curl -F images=@…} sends. */
    private static ApiClient.Answer postImages(List<byte[]> images) {
        String boundary = "boundary-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < images.size(); i++) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"images\"; filename=\"" + i
                    + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(images.get(i));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return api().postBytes("/v1/models/" + modelId + "/predictions", body.toByteArray(),
                "multipart/form-data; boundary=" + boundary);
    }

    /** The PNG with a chunk of {@code size} bytes right after IHDR (8-byte signature, then 25 bytes of IHDR). */
    private static byte[] withAncillaryChunk(byte[] png, int size) {
        int afterHeader = 8 + 25;
        byte[] type = "prVt".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[size];
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data);
        ByteBuffer chunk = ByteBuffer.allocate(12 + size).putInt(size).put(type).put(data).putInt((int) crc.getValue());
        List<byte[]> parts = new ArrayList<>(List.of(Arrays.copyOf(png, afterHeader), chunk.array(),
                Arrays.copyOfRange(png, afterHeader, png.length)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
