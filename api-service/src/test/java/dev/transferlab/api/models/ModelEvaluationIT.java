package dev.transferlab.api.models;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.EvaluationReport.Average;
import dev.transferlab.common.model.EvaluationReport.Calibration;
import dev.transferlab.common.model.EvaluationReport.ClassScores;
import dev.transferlab.common.model.EvaluationReport.Misclassified;
import dev.transferlab.common.model.EvaluationReport.ReliabilityBin;
import dev.transferlab.common.model.EvaluationReport.SetEvaluation;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /v1/models/{id}/evaluation serves the report the worker stored beside the model, and only the caller's own. */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class ModelEvaluationIT {
    // Security is off in tests: every request is the laptop tenant's.
    private static final String TENANT = "default";

    @Inject
    ObjectStore store;

    @Test
    void theStoredReportIsServed() throws Exception {
        EvaluationReport report = report("judged");
        TestModels.put(store, TENANT, "judged", BackboneSpec.densenet121(), List.of("a", "b"));
        putReport(TENANT, report);

        Response response = given().get("/v1/models/judged/evaluation");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(Messages.mapper().readValue(response.asByteArray(), EvaluationReport.class)).isEqualTo(report);
        assertThat(response.jsonPath().getString("test")).isNull();
        assertThat(response.jsonPath().getInt("validation.confusionMatrix[0][1]")).isEqualTo(1);
    }

    @Test
    void anotherTenantsReportAndAModelWithoutOneAreNotFound() {
        TestModels.put(store, "other", "theirs", BackboneSpec.densenet121(), List.of("a", "b"));
        putReport("other", report("theirs"));
        TestModels.put(store, TENANT, "before-reports", BackboneSpec.densenet121(), List.of("a", "b"));

        assertNotFound(given().get("/v1/models/theirs/evaluation"), "no model with id 'theirs'");
        assertNotFound(given().get("/v1/models/before-reports/evaluation"), "has no evaluation report");
        assertNotFound(given().get("/v1/models/never-trained/evaluation"), "no model with id 'never-trained'");
    }

    private void putReport(String tenant, EvaluationReport report) {
        store.put(store.inDefaultBucket(StorageLayout.modelEvaluation(tenant, report.modelId())),
                Messages.toJson(report).getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static EvaluationReport report(String modelId) {
        SetEvaluation validation = new SetEvaluation(3, 2.0 / 3, null, null, 0.5, List.of(List.of(1, 1),
                List.of(0, 1)), List.of(new ClassScores("a", 1, 0.5, 2.0 / 3, 2), new ClassScores("b", 0.5, 1,
                2.0 / 3, 1)), new Average(0.75, 0.75, 2.0 / 3, 3), new Average(5.0 / 6, 2.0 / 3, 2.0 / 3, 3),
                new Calibration(1, 0.1, List.of(new ReliabilityBin(0, 1, 3, 2.0 / 3, 0.7))), 1,
                List.of(new Misclassified("train/a/1.jpg", "a", "b", 0.6)));
        return new EvaluationReport(1, modelId, 2, List.of("a", "b"), validation, null);
    }

    private static void assertNotFound(Response response, String detail) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(404);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(response.jsonPath().getString("detail")).contains(detail);
    }
}
