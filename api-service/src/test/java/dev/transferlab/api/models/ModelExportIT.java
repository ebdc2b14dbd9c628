package dev.transferlab.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.ModelExportFile;
import dev.transferlab.common.model.ModelManifest;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /v1/models/{id}/export puts the file together from the backbone's part and the model's head weights, serves a
 * model's own whole file where a worker stored one, and only the caller's own models.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class ModelExportIT {
    // Security is off in tests: every request is the laptop tenant's.
    private static final String TENANT = "default";

    @Inject
    ObjectStore store;

    @Test
    void theExportIsTheBackbonesPartFollowedByTheHeadUnderTorchvisionsClassifierNames() throws Exception {
        String sha256 = "a".repeat(64);
        ModelManifest manifest = TestModels.put(store, TENANT, "assembled", BackboneSpec.densenet121(),
                List.of("a", "b"), sha256);
        Map<String, float[]> backbone = new LinkedHashMap<>();
        backbone.put("features.conv0.weight", values(600_000, 1));
        backbone.put("features.norm0.bias", values(3, 2));
        store.put(store.inDefaultBucket(StorageLayout.backboneExport(sha256)),
                safetensors(backbone, Map.of("format", "pt")), "application/octet-stream");
        Map<String, float[]> head = new LinkedHashMap<>();
        head.put("fc1.weight", values(12, 3));
        head.put("fc1.bias", values(4, 4));
        head.put("fc2.weight", values(8, 5));
        head.put("fc2.bias", values(2, 6));
        store.put(store.locate(manifest.headWeights()), safetensors(head, Map.of()), "application/octet-stream");

        Response response = given().get("/v1/models/assembled/export");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.header("Content-Disposition")).isEqualTo("attachment; filename=\"assembled.safetensors\"");
        byte[] file = response.asByteArray();
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) in.getLong();
        assertThat(headerLength % 8).as("data 8-byte aligned").isZero();
        JsonNode header = Messages.mapper().readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8).trim());
        assertThat(Messages.mapper().readValue(header.path("__metadata__").path(ModelExportFile.MANIFEST).asText(),
                ModelManifest.class)).isEqualTo(manifest);
        assertThat(header.path("__metadata__").path("format").asText()).isEqualTo("pt");
        Map<String, float[]> expected = new LinkedHashMap<>(backbone);
        head.forEach((name, values) -> expected.put(ModelExportFile.HEAD_NAMES.get(name), values));
        long dataBytes = 0;
        for (Map.Entry<String, float[]> tensor : expected.entrySet()) {
            JsonNode offsets = header.path(tensor.getKey()).path("data_offsets");
            assertThat(offsets.isArray()).as(tensor.getKey()).isTrue();
            float[] read = new float[(int) (offsets.get(1).asLong() - offsets.get(0).asLong()) / 4];
            in.position(8 + headerLength + (int) offsets.get(0).asLong());
            in.asFloatBuffer().get(read);
            assertThat(read).as(tensor.getKey()).isEqualTo(tensor.getValue());
            dataBytes += 4L * tensor.getValue().length;
        }
        assertThat(file.length).as("the data section holds the tensors and nothing else")
                .isEqualTo(8 + headerLength + dataBytes);
        assertThat(header.size()).isEqualTo(expected.size() + 1);
        assertThat(given().get("/v1/models/assembled/export").asByteArray()).as("the same bytes every time")
                .isEqualTo(file);
    }

    @Test
    void aModelStoredWithItsWholeExportGetsThatFile() {
        byte[] file = new byte[3_000_000];
        new Random(1).nextBytes(file);
        TestModels.put(store, TENANT, "exported", BackboneSpec.densenet121(), List.of("a", "b"), "b".repeat(64));
        store.put(store.inDefaultBucket(StorageLayout.modelExport(TENANT, "exported")), file,
                "application/octet-stream");

        Response response = given().get("/v1/models/exported/export");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("application/octet-stream");
        assertThat(response.asByteArray()).isEqualTo(file);
    }

    @Test
    void anotherTenantsModelIsNotFound() {
        putModel("other", "theirs", BackboneSpec.densenet121());
        store.put(store.inDefaultBucket(StorageLayout.modelExport("other", "theirs")), new byte[] {1, 2, 3},
                "application/octet-stream");

        assertNotFound(given().get("/v1/models/theirs/export"), "no model with id 'theirs'");
    }

    @Test
    void aModelWithoutAnExportIsNotFoundSayingWhy() {
        putModel(TENANT, "before-exports", BackboneSpec.densenet121());
        putModel(TENANT, "scripted", BackboneSpec.torchScript("s3://transferlab/m.pt", null));

        assertNotFound(given().get("/v1/models/before-exports/export"), "trained before the platform wrote exports");
        assertNotFound(given().get("/v1/models/scripted/export"), "torchscript backbone");
        assertNotFound(given().get("/v1/models/never-trained/export"), "no model with id 'never-trained'");
    }

    private static void assertNotFound(Response response, String detail) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(404);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(response.jsonPath().getString("detail")).contains(detail);
    }

    private void putModel(String tenant, String modelId, BackboneSpec backbone) {
        TestModels.put(store, tenant, modelId, backbone, List.of("a", "b"));
    }

    private static float[] values(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** One-dimensional F32 tensors, as the worker writes them (its writer is not on this module's path). */
    private static byte[] safetensors(Map<String, float[]> tensors, Map<String, String> metadata) throws Exception {
        ObjectNode header = Messages.mapper().createObjectNode();
        if (!metadata.isEmpty()) {
            metadata.forEach(header.putObject("__metadata__")::put);
        }
        long offset = 0;
        for (Map.Entry<String, float[]> tensor : tensors.entrySet()) {
            ObjectNode info = header.putObject(tensor.getKey());
            info.put("dtype", "F32");
            info.putArray("shape").add(tensor.getValue().length);
            info.putArray("data_offsets").add(offset).add(offset + 4L * tensor.getValue().length);
            offset += 4L * tensor.getValue().length;
        }
        byte[] json = Messages.mapper().writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        tensors.values().forEach(values -> {
            for (float value : values) {
                out.putFloat(value);
            }
        });
        return out.array();
    }
}
