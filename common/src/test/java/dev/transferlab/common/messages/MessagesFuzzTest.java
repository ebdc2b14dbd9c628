package dev.transferlab.common.messages;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.transferlab.common.messages.Messages.MalformedMessageException;

import java.nio.charset.StandardCharsets;

/**
 * Any record value a producer can write either parses or is refused with {@link MalformedMessageException}: nothing
 * else may escape to the consumer, which would otherwise fail its channel instead of dead-lettering the record.
 */
class MessagesFuzzTest {

    @FuzzTest(maxDuration = "")
    void anyRecordValueParsesOrIsMalformed(byte[] value) {
        String json = new String(value, StandardCharsets.UTF_8);
        for (Class<?> type : new Class<?>[]{TrainingRequest.class, TrainingEvent.class, InferenceRequest.class,
                CancelRequest.class}) {
            try {
                Messages.fromJson(json, type);
            } catch (MalformedMessageException expected) {
                // the documented refusal
            }
        }
    }
}
