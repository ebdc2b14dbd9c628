package dev.transferlab.api.models;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /v1/models/{id}/export streams the file the worker stored beside the model, and only the caller's own. */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class ModelExportIT {
    // Security is off in tests: every request is the laptop tenant's.
    private static final String TENANT = "default";

    @Inject
    ObjectStore store;

    @Test
    void theStoredExportComesBackWholeAsAnAttachment() {
        byte[] file = new byte[3_000_000];
        new Random(1).nextBytes(file);
        putModel(TENANT, "exported", BackboneSpec.densenet121());
        store.put(store.inDefaultBucket(StorageLayout.modelExport(TENANT, "exported")), file,
                "application/octet-stream");

        Response response = given().get("/v1/models/exported/export");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("application/octet-stream");
        assertThat(response.header("Content-Disposition")).isEqualTo("attachment; filename=\"exported.safetensors\"");
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
}
