package dev.transferlab.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.transferlab.infra.DemoRealm;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The demo a new user runs first: puts a generated dataset in the store, trains a DenseNet121 head through the REST
 * API while printing the live event stream, then classifies held-out images.
 */
public final class Demo {
    static final String DATASET_NAME = "sunset-ocean";
    private static final int IMAGES_PER_CLASS = 32;
    private static final int HELD_OUT_PER_CLASS = 3;

    private final Stack stack;
    private final PrintStream out;

    public Demo(Stack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    public void run(boolean randomWeights) {
        stack.keycloak().ifPresent(keycloak -> {
            out.println("Logging in as " + DemoRealm.ALICE.name() + " (tenant " + DemoRealm.ALICE.tenant() + ", role "
                    + String.join(", ", DemoRealm.ALICE.roles()) + "):");
            out.println("\n$ TOKEN=$(" + keycloak.curlExample(DemoRealm.ALICE) + ")");
        });
        ApiClient api = stack.apiAs(DemoRealm.ALICE);
        String datasetId = uploadDataset(api);
        String body = """
                {"datasetId": "%s", "epochs": 8, "batchSize": 16, "learningRate": 0.001,
                 "hiddenUnits": 500, "seed": 7, "backbone": {"name": "densenet121"}}
                """.formatted(datasetId);
        out.println("\n$ curl -X POST " + stack.apiUrl() + "/v1/training-jobs" + auth()
                + " -H 'Content-Type: application/json' -d '"
                + body.strip().replaceAll("\\s+", " ") + "'");
        ApiClient.Answer submitted = api.postJson("/v1/training-jobs", body);
        if (submitted.status() != 202) {
            throw new IllegalStateException("the job was refused: " + submitted.body());
        }
        String jobId = submitted.body().get("id").asText();
        out.println("202 Accepted, Location: " + submitted.location());
        if (randomWeights) {
            out.println("NOTE: no DenseNet121 weights were given (--weights), so the backbone has RANDOM weights."
                    + " The pipeline is real; accuracy on real photos needs the published weights.");
        }
        out.println("\n$ curl -N" + auth() + " " + stack.apiUrl() + "/v1/training-jobs/" + jobId + "/events");
        String[] modelId = new String[1];
        api.followEvents(jobId, event -> modelId[0] = print(event, modelId[0]));
        if (modelId[0] == null) {
            throw new IllegalStateException("the job did not complete; see " + stack.worker().log());
        }
        classifyHeldOut(api, modelId[0]);
    }

    /** The curl option that sends the token, when the stack checks tokens. */
    private String auth() {
        return stack.keycloak().isPresent() ? " -H \"Authorization: Bearer $TOKEN\"" : "";
    }

    /** Uploads the generated images as a tar.gz, as a user would upload their own folder. */
    private String uploadDataset(ApiClient api) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String label : SampleImages.CLASSES) {
            for (int i = 0; i < IMAGES_PER_CLASS; i++) {
                files.put(DATASET_NAME + "/" + label + "/" + i + ".png", SampleImages.png(label, i));
            }
        }
        out.printf("Generated %d images of classes %s in %s/<class>/%n", IMAGES_PER_CLASS * 2, SampleImages.CLASSES,
                DATASET_NAME);
        out.println("\n$ tar czf " + DATASET_NAME + ".tar.gz " + DATASET_NAME + " && curl" + auth()
                + " --data-binary @"
                + DATASET_NAME + ".tar.gz -H 'Content-Type: application/gzip' '" + stack.apiUrl()
                + "/v1/datasets?name=" + DATASET_NAME + "'");
        ApiClient.Answer created = api.postBytes("/v1/datasets?name=" + DATASET_NAME, DatasetArchives.tarGz(files),
                "application/gzip");
        if (created.status() != 201) {
            throw new IllegalStateException("the dataset was refused: " + created.body());
        }
        JsonNode dataset = created.body();
        out.println("201 Created: " + dataset.get("id").asText() + ", classes " + dataset.get("classes")
                + ", images per split " + dataset.get("counts") + ", content hash "
                + dataset.get("contentHash").asText().substring(0, 19) + "…");
        return dataset.get("id").asText();
    }

    private String print(ApiClient.SseEvent event, String modelId) {
        JsonNode data = event.data();
        switch (event.name()) {
            case "epoch-completed" -> {
                JsonNode m = data.get("metrics");
                out.printf(Locale.ROOT, "epoch %2d/%d  train loss %.4f  val loss %.4f  val accuracy %5.1f%%  "
                                + "%7.0f images/s  %.2f s%n", m.get("epoch").asInt(), m.get("epochs").asInt(),
                        m.get("trainLoss").asDouble(), m.get("validationLoss").asDouble(),
                        100 * m.get("validationAccuracy").asDouble(), m.get("imagesPerSecond").asDouble(),
                        m.get("seconds").asDouble());
            }
            case "completed" -> {
                out.println("completed: model " + data.get("modelId").asText() + ", best epoch "
                        + data.get("bestEpoch").asInt() + " (" + data.path("message").asText() + ")");
                return data.get("modelId").asText();
            }
            case "failed" -> out.println("FAILED: " + data.get("reason").asText());
            case "checkpointed" -> {
                // one per epoch; the epoch line says enough
            }
            case "extraction-progress" -> {
                JsonNode p = data.get("extraction");
                out.printf(Locale.ROOT, "extracting features: %d/%d images, %.1f images/s, ETA %.0f s%s%n",
                        p.get("done").asInt(), p.get("total").asInt(), p.get("imagesPerSecond").asDouble(),
                        p.get("etaSeconds").asDouble(), p.get("skipped").asInt() > 0 ? ", " + p.get("skipped")
                                + " skipped" : "");
            }
            default -> out.println(event.name() + (data.has("message") ? ": " + data.get("message").asText() : ""));
        }
        return modelId;
    }

    private void classifyHeldOut(ApiClient api, String modelId) {
        out.println("\n$ curl" + auth() + " --data-binary @image.png -H 'Content-Type: image/png' "
                + stack.apiUrl() + "/v1/models/" + modelId + "/predictions");
        for (String truth : SampleImages.CLASSES) {
            for (int i = 0; i < HELD_OUT_PER_CLASS; i++) {
                byte[] image = SampleImages.png(truth, 10_000 + i);
                ApiClient.Answer answer = api.postBytes("/v1/models/" + modelId + "/predictions", image,
                        "image/png");
                if (answer.status() != 200) {
                    out.println("prediction failed: " + answer.status() + " " + answer.body());
                    continue;
                }
                String label = answer.body().get("label").asText();
                out.printf(Locale.ROOT, "held-out %s #%d: I guess it's %s %s (%.1f%%)%n", truth, i,
                        "aeiou".indexOf(label.charAt(0)) >= 0 ? "an" : "a", label,
                        100 * answer.body().get("probability").asDouble());
            }
        }
    }
}
