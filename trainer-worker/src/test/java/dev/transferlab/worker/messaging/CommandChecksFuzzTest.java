package dev.transferlab.worker.messaging;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.common.messages.BackboneBudget;
import dev.transferlab.common.messages.CancelRequest;
import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Messages.MalformedMessageException;
import dev.transferlab.common.messages.TrainingRequest;

import java.nio.charset.StandardCharsets;

/**
 * Any record value on a command topic is either a command the worker may act on or refused with
 * {@link MalformedMessageException} (a dead letter with its reason): an NPE or any other throwable would fail the
 * channel instead, and an accepted command must hold only ids that are safe in storage keys.
 */
class CommandChecksFuzzTest {
    private static final BackboneBudget BUDGET = new BackboneBudget(32_000_000, 12e9);

    @FuzzTest(maxDuration = "")
    void anyCommandRecordIsValidOrDeadLettered(byte[] value) {
        String json = new String(value, StandardCharsets.UTF_8);
        try {
            TrainingRequest r = CommandChecks.valid(Messages.fromJson(json, TrainingRequest.class), BUDGET);
            dev.transferlab.common.storage.StorageLayout.checkpoint(r.tenant(), r.jobId());
            r.backbone().featureSize();
        } catch (MalformedMessageException expected) {
            // the documented refusal
        } catch (IllegalStateException torchScript) {
            // featureSize() of a torchscript backbone is read from its module, by design
        }
        try {
            InferenceRequest r = CommandChecks.valid(Messages.fromJson(json, InferenceRequest.class));
            dev.transferlab.common.storage.StorageLayout.modelManifest(r.tenant(), r.modelId());
        } catch (MalformedMessageException expected) {
            // the documented refusal
        }
        try {
            CommandChecks.valid(Messages.fromJson(json, CancelRequest.class));
        } catch (MalformedMessageException expected) {
            // the documented refusal
        }
    }
}
