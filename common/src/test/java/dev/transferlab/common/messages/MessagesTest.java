package dev.transferlab.common.messages;

import dev.transferlab.common.model.PreprocessingSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessagesTest {

    @Test
    void trainingRequestRoundTripsThroughJson() {
        TrainingRequest request = TrainingRequest.of("job-1", "acme", "s3://b/d/", BackboneSpec.densenet121(),
                Hyperparameters.defaults());
        TrainingRequest back = Messages.fromJson(Messages.toJson(request), TrainingRequest.class);
        assertThat(back).isEqualTo(request);
    }

    @Test
    void aTorchScriptBackboneAndItsPreprocessingRoundTrip() {
        TrainingRequest request = TrainingRequest.of("job-2", "acme", "s3://b/d/", null,
                BackboneSpec.torchScript("s3://b/m.pt", "ab".repeat(32)), Hyperparameters.defaults(),
                PreprocessingSpec.of(256, false));
        String json = Messages.toJson(request);

        assertThat(Messages.fromJson(json, TrainingRequest.class)).isEqualTo(request);
        assertThat(json).contains("\"weights\":\"s3://b/m.pt\"").doesNotContain("standardDenseNet121", "torchScript\"");
        assertThat(request.backbone().isTorchScript()).isTrue();
    }

    @Test
    void aRequestFromAnOlderSenderGetsTheDefaultPreprocessing() {
        String json = Messages.toJson(TrainingRequest.of("job-3", "acme", "s3://b/d/", BackboneSpec.densenet121(),
                Hyperparameters.defaults())).replaceAll(",\"preprocessing\":\\{[^}]*\\}", "");

        TrainingRequest read = Messages.fromJson(json, TrainingRequest.class);

        assertThat(json).doesNotContain("preprocessing");
        assertThat(read.preprocessing()).isNull();
        assertThat(read.preprocessingOrDefault()).isEqualTo(PreprocessingSpec.imagenet());
        assertThat(read.backbone().isStandardDenseNet121()).isTrue();
    }

    @Test
    void eventsCarryTheirEnvelopeAndKebabCaseType() {
        TrainingEvent event = TrainingEvent.builder("job-1", "acme", TrainingEventType.EPOCH_COMPLETED)
                .metrics(new EpochMetrics(2, 10, 0.5, 0.6, 0.9, 100, 1.5, 1e-3)).build();
        String json = Messages.toJson(event);
        assertThat(json).contains("\"type\":\"epoch-completed\"", "\"schemaVersion\":1", "\"eventId\":\"job-1:epoch-completed:2\"",
                "\"tenant\":\"acme\"").doesNotContain("\"reason\"");
        assertThat(Messages.fromJson(json, TrainingEvent.class)).isEqualTo(event);
    }

    @Test
    void extractionEventsCarryTheirProgressAndAnOlderRequestWithoutDatasetIdStillReads() {
        TrainingEvent event = TrainingEvent.builder("job-1", "acme", TrainingEventType.EXTRACTION_PROGRESS)
                .extraction(new ExtractionProgress(40, 100, 1, 12.5, 4.8, null, null)).build();
        String json = Messages.toJson(event);
        assertThat(json).contains("\"type\":\"extraction-progress\"", "\"done\":40").doesNotContain("skippedFiles");
        assertThat(Messages.fromJson(json, TrainingEvent.class)).isEqualTo(event);
        assertThat(TrainingEventType.fromWireName("feature-cache-hit")).isEqualTo(TrainingEventType.FEATURE_CACHE_HIT);

        TrainingRequest old = Messages.fromJson("{\"schemaVersion\":1,\"type\":\"training-request\",\"jobId\":\"j\","
                + "\"tenant\":\"t\",\"dataset\":\"s3://b/d/\"}", TrainingRequest.class);
        assertThat(old.datasetId()).isNull();
        TrainingRequest byId = TrainingRequest.of("j", "t", "s3://b/d/", "ds-1", BackboneSpec.densenet121(),
                Hyperparameters.defaults(), PreprocessingSpec.imagenet());
        assertThat(Messages.fromJson(Messages.toJson(byId), TrainingRequest.class).datasetId()).isEqualTo("ds-1");
    }

    @Test
    void aReleasedJobIsNotEndedAndItsEventIsNamedByTheCheckpointItResumesFrom() {
        TrainingEvent event = TrainingEvent.builder("job-1", "acme", TrainingEventType.RELEASED).epoch(7)
                .message("worker shutting down").build();
        String json = Messages.toJson(event);
        assertThat(json).contains("\"type\":\"released\"", "\"eventId\":\"job-1:released:7\"", "\"epoch\":7");
        assertThat(Messages.fromJson(json, TrainingEvent.class)).isEqualTo(event);
        assertThat(event.type().isTerminal()).isFalse();
        assertThat(TrainingEvent.builder("job-1", "acme", TrainingEventType.RELEASED).epoch(0).build().eventId())
                .isEqualTo("job-1:released:0");
    }

    @Test
    void handOversOfOneJobAreToldApartByTheirRunWhileItsEpochsStayOneEach() {
        TrainingEvent.Builder firstRun = TrainingEvent.builder("job-1", "acme", TrainingEventType.RESUMED).epoch(3);
        TrainingEvent.Builder secondRun = TrainingEvent.builder("job-1", "acme", TrainingEventType.RESUMED).epoch(3);
        assertThat(firstRun.run("a1").build().eventId()).isEqualTo("job-1:resumed:3:a1");
        assertThat(secondRun.run("b2").build().eventId()).isEqualTo("job-1:resumed:3:b2");
        assertThat(TrainingEvent.builder("job-1", "acme", TrainingEventType.STARTED).run("b2").build().eventId())
                .isEqualTo("job-1:started:b2");
        assertThat(TrainingEvent.builder("job-1", "acme", TrainingEventType.CHECKPOINTED).epoch(3).run("b2").build()
                .eventId()).as("the same epoch's checkpoint, whichever run took it").isEqualTo("job-1:checkpointed:3");
    }

    @Test
    void completedEventKeepsArtifacts() {
        TrainingEvent event = TrainingEvent.builder("job-1", "acme", TrainingEventType.COMPLETED)
                .model("job-1", Map.of("manifest", "s3://b/m.json"), 4).build();
        TrainingEvent back = Messages.fromJson(Messages.toJson(event), TrainingEvent.class);
        assertThat(back.artifacts()).containsEntry("manifest", "s3://b/m.json");
        assertThat(back.bestEpoch()).isEqualTo(4);
        assertThat(back.type().isTerminal()).isTrue();
    }

    @Test
    void inferenceRequestCarriesTheImageBytes() {
        InferenceRequest request = InferenceRequest.of("r1", "default", "m1", new byte[]{1, 2, (byte) 255});
        InferenceRequest back = Messages.fromJson(Messages.toJson(request), InferenceRequest.class);
        assertThat(back.image()).containsExactly(1, 2, (byte) 255);
    }

    @Test
    void refusesWhatIsNotAMessageOfThisSchema() {
        assertThatThrownBy(() -> Messages.fromJson("not json", TrainingRequest.class))
                .isInstanceOf(Messages.MalformedMessageException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> Messages.fromJson("{\"schemaVersion\": 2}", TrainingRequest.class))
                .isInstanceOf(Messages.MalformedMessageException.class).hasMessageContaining("schema version 2");
        assertThatThrownBy(() -> Messages.fromJson("{\"schemaVersion\":1,\"type\":\"nonsense-type\"}",
                TrainingEvent.class)).isInstanceOf(Messages.MalformedMessageException.class);
        assertThatThrownBy(() -> Messages.fromJson(null, TrainingEvent.class))
                .isInstanceOf(Messages.MalformedMessageException.class);
    }

    @Test
    void denseNet121HasTorchvisionsFeatureWidthAndTinyConfigsTheirOwn() {
        assertThat(BackboneSpec.densenet121().featureSize()).isEqualTo(1024);
        assertThat(BackboneSpec.densenet121().isStandardDenseNet121()).isTrue();
        BackboneSpec tiny = new BackboneSpec("densenet", 8, List.of(2, 2), 16, 2);
        // 16 + 2*8 = 32, halved to 16 by the transition, + 2*8 = 32
        assertThat(tiny.featureSize()).isEqualTo(32);
        assertThat(tiny.isStandardDenseNet121()).isFalse();
    }

    @Test
    void aRecordWithoutSchemaVersionOrThatIsNoObjectSaysSo() {
        assertThatThrownBy(() -> Messages.fromJson("{\"type\":\"training-request\"}", TrainingRequest.class))
                .hasMessage("the record has no schemaVersion field; this service reads version 1");
        assertThatThrownBy(() -> Messages.fromJson("{\"schemaVersion\":\"1\"}", TrainingRequest.class))
                .hasMessage("TrainingRequest has schema version a JSON string; this service reads version 1");
        assertThatThrownBy(() -> Messages.fromJson("[1, 2]", TrainingRequest.class))
                .hasMessageStartingWith("not a JSON object but array");
        assertThatThrownBy(() -> Messages.fromJson("", TrainingRequest.class))
                .isInstanceOf(Messages.MalformedMessageException.class).hasMessageNotContaining("-1");
    }

    @Test
    void hyperparametersOutOfRangeAreNamedWithTheirPath() {
        assertThat(Hyperparameters.defaults().requireInRange("hyperparameters")).isEqualTo(Hyperparameters.defaults());
        assertThatThrownBy(() -> new Hyperparameters(0, 400, 1e-3, 500, 0.2, 0, null).requireInRange("hyperparameters"))
                .isInstanceOfSatisfying(InvalidFieldException.class,
                        e -> assertThat(e.field()).isEqualTo("hyperparameters.epochs"))
                .hasMessage("hyperparameters.epochs must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> new Hyperparameters(1, 400, -1, 500, 0.2, 0, null).requireInRange("h"))
                .hasMessageStartingWith("h.learningRate must be above 0");
        assertThatThrownBy(() -> new Hyperparameters(1, 400, 1e-3, 500, 0.95, 0, null).requireInRange("h"))
                .hasMessageStartingWith("h.validationFraction");
        assertThatThrownBy(() -> new Hyperparameters(1, 400, 1e-3, 500, 0.2, 0, 0).requireInRange("h"))
                .hasMessageStartingWith("h.earlyStoppingPatience");
        assertThatThrownBy(() -> new Hyperparameters(1, 400, 1e-3, 500, 0.5, 0, null, 0.5).requireInRange("h"))
                .hasMessageStartingWith("h.testFraction");
        assertThat(new Hyperparameters(1, 400, 1e-3, 500, 0.2, 0, null, 0.0).requireInRange("h").testFractionOrDefault())
                .isZero();
    }

    @Test
    void hyperparametersWithoutATestFractionTestOnTheDefaultOne() throws Exception {
        String json = Messages.toJson(Hyperparameters.defaults()).replace(",\"testFraction\":null", "");

        Hyperparameters read = Messages.mapper().readValue(json, Hyperparameters.class);

        assertThat(json).doesNotContain("testFraction");
        assertThat(read).isEqualTo(Hyperparameters.defaults());
        assertThat(read.testFractionOrDefault()).isEqualTo(Hyperparameters.DEFAULT_TEST_FRACTION);
    }
}
