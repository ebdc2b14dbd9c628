package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.BackboneBudget;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.Hyperparameters;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.Topics;
import dev.transferlab.common.messages.TrainingRequest;
import dev.transferlab.common.storage.StorageLayout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Records as they arrive on Kafka, parsed as the consumers parse them: what a worker refuses, and the reason. */
class CommandChecksTest {
    private static final BackboneBudget BUDGET = new BackboneBudget(32_000_000, 12e9);
    private static final String GOOD = Messages.toJson(TrainingRequest.of("job-1", "acme", "s3://b/d/",
            BackboneSpec.densenet121(), Hyperparameters.defaults()));

    private static TrainingRequest training(String json) {
        return CommandChecks.valid(Messages.fromJson(json, TrainingRequest.class), BUDGET);
    }

    private static String reason(String json) {
        try {
            training(json);
        } catch (MalformedMessageException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void aWellFormedCommandPasses() {
        assertThat(training(GOOD).jobId()).isEqualTo("job-1");
    }

    @Test
    void aJobIdThatWouldReachAnotherTenantsModelIsDeadLetteredNamingTheField() {
        assertThat(reason(GOOD.replace("\"job-1\"", "\"../other/job-9\"")))
                .startsWith("jobId '../other/job-9' is not a valid id");
        assertThat(reason(GOOD.replace("\"acme\"", "\"acme/../other\""))).startsWith("tenant 'acme/../other'");
        assertThat(reason(GOOD.replace("\"dataset\":", "\"datasetId\":\"ds-1/..\",\"dataset\":")))
                .startsWith("datasetId 'ds-1/..'");
    }

    @Test
    void aNullInsideBlockConfigIsNamedInsteadOfANullPointerException() {
        String json = GOOD.replace("\"densenet121\"", "\"densenet\"").replace("[6,12,24,16]", "[null,2]");

        assertThat(reason(json)).isEqualTo("backbone.blockConfig[0] must not be null");
    }

    @Test
    void aBackboneOverTheBudgetIsDeadLetteredBeforeAnythingIsBuilt() {
        String json = GOOD.replace("\"growthRate\":32", "\"growthRate\":128")
                .replace("[6,12,24,16]", "[64,64,64,64,64]").replace("\"bnSize\":4", "\"bnSize\":8");

        assertThat(reason(json)).startsWith("backbone has ").contains("parameters; at most 32,000,000");
        assertThat(reason(GOOD.replace("\"densenet121\"", "\"resnet\""))).startsWith("backbone.name must be one of");
    }

    @Test
    void outOfRangeValuesAndMissingFieldsAreNamed() {
        assertThat(reason(GOOD.replace("\"epochs\":10", "\"epochs\":-5")))
                .isEqualTo("hyperparameters.epochs must be between 1 and 1000, got -5");
        assertThat(reason(GOOD.replace("\"batchSize\":400", "\"batchSize\":0")))
                .startsWith("hyperparameters.batchSize");
        assertThat(reason(GOOD.replace("\"resize\":255", "\"resize\":100000"))).startsWith("preprocessing.resize");
        assertThat(reason(GOOD.replace("\"mean\":[0.485,0.456,0.406]", "\"mean\":[0.485,null,0.406]")))
                .isEqualTo("missing field 'preprocessing.mean[1]'");
        assertThat(reason(GOOD.replace("\"dataset\":\"s3://b/d/\",", ""))).isEqualTo("missing field 'dataset'");
        assertThat(reason(GOOD.replaceAll("\"hyperparameters\":\\{[^}]*\\},?", "")))
                .isEqualTo("missing field 'hyperparameters'");
        assertThat(reason(GOOD.replace("\"jobId\":\"job-1\",", ""))).isEqualTo("missing field 'jobId'");
    }

    @Test
    void aCommandOnATenantsOwnTopicActsForThatTenantOnlyAndTheApiServicesTopicForAny() {
        TrainingRequest acme = training(GOOD);
        TrainingRequest globex = training(GOOD.replace("\"acme\"", "\"globex\""));

        assertThat(CommandChecks.fromTopic(acme, Topics.tenantTrainingRequests("acme"))).isSameAs(acme);
        assertThat(CommandChecks.fromTopic(globex, Topics.TRAINING_REQUESTS)).isSameAs(globex);
        assertThatThrownBy(() -> CommandChecks.fromTopic(globex, "transferlab.tenants.acme.training-requests"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("a command for tenant 'globex' arrived on transferlab.tenants.acme.training-requests, "
                        + "which only tenant 'acme' may write to; a tenant's producer sends its own tenant's commands "
                        + "to its own topic");
        assertThatThrownBy(() -> CommandChecks.fromTopic(acme, Topics.TRAINING_CONTROL))
                .hasMessageContaining("not transferlab.training-control");
        assertThatThrownBy(() -> CommandChecks.fromTopic(acme, "transferlab.tenants." + "a".repeat(64)
                + ".training-requests")).as("a topic whose tenant breaks the id rule is no tenant's")
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void inferenceAndCancelCommandsFollowTheSameIdRule() {
        String inference = Messages.toJson(InferenceRequest.of("inf-1", "acme", "../other/job-9", new byte[] {1}));
        assertThatThrownBy(() -> CommandChecks.valid(Messages.fromJson(inference, InferenceRequest.class)))
                .isInstanceOf(MalformedMessageException.class).hasMessageStartingWith("modelId '../other/job-9'");
        String noImage = Messages.toJson(InferenceRequest.of("inf-1", "acme", "job-9", null));
        assertThatThrownBy(() -> CommandChecks.valid(Messages.fromJson(noImage, InferenceRequest.class)))
                .hasMessage("missing field 'image'");
        String elsewhere = Messages.toJson(InferenceRequest.byReference("inf-1", "acme", "job-9",
                "datasets/globex/ds-1/files/cat.png", null));
        assertThatThrownBy(() -> CommandChecks.valid(Messages.fromJson(elsewhere, InferenceRequest.class)))
                .as("a claim check reads only its request's own payload")
                .hasMessage("imageKey must be inference-payloads/acme/inf-1");
        InferenceRequest claimed = InferenceRequest.byReference("inf-1", "acme", "job-9",
                StorageLayout.inferencePayload("acme", "inf-1"), null);
        assertThat(CommandChecks.valid(Messages.fromJson(Messages.toJson(claimed), InferenceRequest.class)).imageKey())
                .isEqualTo("inference-payloads/acme/inf-1");
        String both = Messages.toJson(new InferenceRequest(claimed.schemaVersion(), claimed.type(), "inf-1", "acme",
                claimed.timestamp(), "job-9", new byte[] {1}, null, claimed.imageKey()));
        assertThatThrownBy(() -> CommandChecks.valid(Messages.fromJson(both, InferenceRequest.class)))
                .hasMessageContaining("imageKey is set beside an inline image");
        String cancel = Messages.toJson(CancelRequest.of(null, "acme"));
        assertThatThrownBy(() -> CommandChecks.valid(Messages.fromJson(cancel, CancelRequest.class)))
                .hasMessage("missing field 'jobId'");
    }

    @Test
    void aBatchPredictionForAModelIdThatIsNoIdOrWithoutInputIsDeadLettered() {
        String good = Messages.toJson(BatchPredictionRequest.of("batch-1", "acme",
                "job-1", "s3://b/d/", null));
        java.util.function.Function<String, BatchPredictionRequest> parse = json ->
                CommandChecks.valid(Messages.fromJson(json, BatchPredictionRequest.class));
        assertThat(parse.apply(good).modelId()).isEqualTo("job-1");
        assertThatThrownBy(() -> parse.apply(good.replace("\"job-1\"", "\"../other/job-9\"")))
                .isInstanceOf(MalformedMessageException.class).hasMessageStartingWith("modelId '../other/job-9'");
        assertThatThrownBy(() -> parse.apply(good.replace("\"s3://b/d/\"", "\" \"")))
                .isInstanceOf(MalformedMessageException.class).hasMessage("missing field 'input'");
    }
}
