package dev.transferlab.api.http;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.transferlab.api.datasets.TestArchives;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document describes the running service: every JAX-RS endpoint is in it with its success and problem
 * responses and its security, and real responses of the service (successes and problems) validate against it
 * (Atlassian's swagger-request-validator, which also fails on a status the document does not list).
 */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class OpenApiDocumentIT {
    private static final String DATASET = "s3://transferlab/datasets/default/openapi/";

    @Test
    void everyEndpointIsInTheDocumentWithItsResponsesAndSecurity() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(RestAssured.given().get("/q/openapi?format=json").then()
                .statusCode(200).extract().asString());
        List<String> checked = new ArrayList<>();
        for (Class<?> resource : resources()) {
            for (Method method : resource.getDeclaredMethods()) {
                String verb = httpMethod(method);
                if (verb == null) {
                    continue;
                }
                String path = path(resource, method);
                JsonNode operation = doc.path("paths").path(path).path(verb.toLowerCase(Locale.ROOT));
                Operation described = method.getAnnotation(Operation.class);
                if (described != null && described.hidden()) {
                    assertThat(operation.isMissingNode()).as(verb + " " + path + " is left out").isTrue();
                    continue;
                }
                assertThat(operation.isObject()).as(verb + " " + path + " is in the document").isTrue();
                JsonNode responses = operation.path("responses");
                List<String> codes = new ArrayList<>();
                responses.fieldNames().forEachRemaining(codes::add);
                assertThat(codes).as(verb + " " + path).anyMatch(c -> c.startsWith("2")).contains("500");
                boolean secured = method.isAnnotationPresent(RolesAllowed.class)
                        || resource.isAnnotationPresent(RolesAllowed.class) && !method.isAnnotationPresent(
                        jakarta.annotation.security.PermitAll.class);
                assertThat(operation.path("security").toString().contains("bearer")).as(verb + " " + path)
                        .isEqualTo(secured);
                if (secured) {
                    assertThat(codes).as(verb + " " + path).contains("401", "403");
                }
                if (path.contains("{")) {
                    assertThat(codes).as(verb + " " + path).contains("404");
                }
                String errorType = path.startsWith("/v2") ? "application/json" : Problem.MEDIA_TYPE;
                codes.stream().filter(c -> c.startsWith("4") || c.startsWith("5")).forEach(code -> assertThat(
                        responses.path(code).path("content").has(errorType)).as(verb + " " + path + " " + code)
                        .isTrue());
                if (codes.contains("429")) {
                    assertThat(responses.path("429").path("headers").has("Retry-After")).isTrue();
                }
                checked.add(verb + " " + path);
            }
        }
        assertThat(checked).hasSizeGreaterThan(25);
        assertThat(doc.path("components").path("securitySchemes").path("bearer").path("description").asText())
                .contains("transferlab.auth.enabled=false");
        JsonNode submit = doc.path("paths").path("/v1/training-jobs").path("post");
        assertThat(submit.path("parameters").toString()).contains("Idempotency-Key");
        assertThat(submit.path("responses").path("202").path("headers").has("Location")).isTrue();
        assertThat(doc.path("paths").path("/v1/training-jobs/{id}/events").path("get").path("parameters").toString())
                .contains("Last-Event-ID");
        RestAssured.given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void theAsyncApiDocumentIsServed() throws IOException {
        String served = RestAssured.given().get("/asyncapi.json").then().statusCode(200)
                .contentType(io.restassured.http.ContentType.JSON).extract().asString();
        assertThat(new ObjectMapper().readTree(served)).isEqualTo(AsyncApiDocumentTest.document());
    }

    @Test
    void realResponsesOfTheServiceValidateAgainstTheDocument() {
        // Requests are not judged: some of them are wrong on purpose, for the problem they get.
        OpenApiValidationFilter validation = new OpenApiValidationFilter(OpenApiInteractionValidator
                .createForSpecificationUrl(RestAssured.baseURI + ":" + RestAssured.port + "/q/openapi?format=json")
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request", ValidationReport.Level.IGNORE).build())
                .build());
        String job = "{\"dataset\": \"" + DATASET + "\", \"epochs\": 1}";

        given(validation).get("/v1/training-jobs").then().statusCode(200);
        given(validation).get("/v1/training-jobs/job-missing").then().statusCode(404);
        given(validation).contentType("application/json").body("{\"dataset\": \"" + DATASET + "\", \"epochs\": 0}")
                .post("/v1/training-jobs").then().statusCode(400);
        given(validation).contentType("text/plain").body("x").post("/v1/training-jobs").then().statusCode(415);
        String id = given(validation).contentType("application/json").header("Idempotency-Key", "openapi-1")
                .body(job).post("/v1/training-jobs").then().statusCode(202).extract().path("id");
        given(validation).contentType("application/json").header("Idempotency-Key", "openapi-1").body(job)
                .post("/v1/training-jobs").then().statusCode(200);
        given(validation).contentType("application/json").header("Idempotency-Key", "openapi-1")
                .body(job.replace("1}", "2}")).post("/v1/training-jobs").then().statusCode(409);
        given(validation).get("/v1/training-jobs/" + id).then().statusCode(200);
        given(validation).delete("/v1/training-jobs/" + id).then().statusCode(202);

        String dataset = given(validation).contentType("application/zip")
                .body(new TestArchives().images("", 10, "a", "b").zip()).post("/v1/datasets?name=openapi")
                .then().statusCode(201).extract().path("id");
        given(validation).get("/v1/datasets").then().statusCode(200);
        given(validation).get("/v1/datasets/" + dataset).then().statusCode(200);
        given(validation).delete("/v1/datasets/" + dataset).then().statusCode(204);

        given(validation).get("/v1/models/m-missing").then().statusCode(404);
        given(validation).contentType("image/png").body(new byte[] {1}).post("/v1/models/m-missing/predictions")
                .then().statusCode(404);
        given(validation).get("/v1/batch-predictions/batch-missing").then().statusCode(404);
        given(validation).get("/v2").then().statusCode(200);
        given(validation).get("/v2/health/live").then().statusCode(200);
        given(validation).get("/v2/models/m-missing").then().statusCode(404);
    }

    private static RequestSpecification given(OpenApiValidationFilter validation) {
        return RestAssured.given().filter(validation);
    }

    /** The resource classes of the service: those with a {@code @Path}, found in its compiled classes. */
    private static List<Class<?>> resources() throws IOException, URISyntaxException {
        java.nio.file.Path root = Paths.get(Problem.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            return files.map(root::relativize).map(java.nio.file.Path::toString)
                    .filter(f -> f.endsWith(".class") && !f.contains("$"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .<Class<?>>map(OpenApiDocumentIT::load).filter(c -> c.isAnnotationPresent(Path.class)).toList();
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, OpenApiDocumentIT.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String path(Class<?> resource, Method method) {
        String path = resource.getAnnotation(Path.class).value();
        Path sub = method.getAnnotation(Path.class);
        if (sub != null) {
            path = path.replaceAll("/$", "") + "/" + sub.value().replaceAll("^/", "");
        }
        return path.startsWith("/") ? path : "/" + path;
    }
}
