package dev.transferlab.api.jobs;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.api.http.Problem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/training-jobs} with head options (real broker and S3 server): kept on the job, or a 400 naming one. */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class HeadOptionsSubmissionIT {
    private static final String JOBS = "/v1/training-jobs";
    private static final String DATASET = "\"dataset\":\"datasets/default/d/\",\"epochs\":5";

    private static Response submit(String options) {
        return given().contentType("application/json").body("{" + DATASET + "," + options + "}").post(JOBS);
    }

    private static String fieldOf(Response r) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
        return r.jsonPath().getString("errors[0].field");
    }

    @Test
    void everyOptionIsAcceptedAndKeptOnTheJob() {
        Response accepted = submit("\"classWeights\":{\"cat\":1,\"dog\":2.5},\"weightDecay\":0.01,\"dropout\":0.2,"
                + "\"labelSmoothing\":0.1,\"lrSchedule\":\"step\",\"lrStepSize\":2,\"lrGamma\":0.5,\"warmupEpochs\":1");
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);

        Map<String, Object> hp = given().get(accepted.header("Location")).jsonPath().getMap("hyperparameters");
        assertThat(hp).containsEntry("classWeights", Map.of("cat", 1.0f, "dog", 2.5f))
                .containsEntry("weightDecay", 0.01f).containsEntry("dropout", 0.2f)
                .containsEntry("labelSmoothing", 0.1f).containsEntry("lrSchedule", "step")
                .containsEntry("lrStepSize", 2).containsEntry("lrGamma", 0.5f).containsEntry("warmupEpochs", 1);
        Response balanced = submit("\"classWeights\":\"balanced\",\"lrSchedule\":\"cosine\"");
        assertThat(balanced.statusCode()).as(balanced.asString()).isEqualTo(202);
        assertThat(given().get(balanced.header("Location")).jsonPath().getString("hyperparameters.classWeights"))
                .isEqualTo("balanced");
    }

    @Test
    void anOptionOutOfRangeIsA400NamingIt() {
        assertThat(fieldOf(submit("\"classWeights\":\"balance\""))).isEqualTo("classWeights");
        assertThat(fieldOf(submit("\"classWeights\":{\"cat\":-1}"))).isEqualTo("classWeights.cat");
        assertThat(fieldOf(submit("\"classWeights\":3"))).isEqualTo("classWeights");
        assertThat(fieldOf(submit("\"weightDecay\":-0.1"))).isEqualTo("weightDecay");
        assertThat(fieldOf(submit("\"dropout\":1"))).isEqualTo("dropout");
        assertThat(fieldOf(submit("\"labelSmoothing\":\"0.1\""))).isEqualTo("labelSmoothing");
        Response schedule = submit("\"lrSchedule\":\"linear\"");
        assertThat(fieldOf(schedule)).isEqualTo("lrSchedule");
        assertThat(schedule.jsonPath().getString("detail")).isEqualTo("lrSchedule must be 'step' or 'cosine', got"
                + " 'linear'");
        assertThat(fieldOf(submit("\"lrSchedule\":\"step\""))).isEqualTo("lrStepSize");
        assertThat(fieldOf(submit("\"lrGamma\":0.5"))).isEqualTo("lrGamma");
        assertThat(fieldOf(submit("\"warmupEpochs\":5"))).isEqualTo("warmupEpochs");
    }
}
