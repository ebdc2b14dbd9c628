package dev.transferlab.common.messages;

import java.net.URI;
import java.time.Instant;

/**
 * The CloudEvents attributes of a {@link TrainingEvent} record, written by every producer of
 * {@link Topics#TRAINING_EVENTS} in the Kafka binding's binary mode ({@code ce_*} headers, the event as the value),
 * so that any CloudEvents consumer can route them without reading the JSON.
 *
 * @param id      the event's id, so a replayed event is the same CloudEvent
 * @param source  who wrote it: {@code /transferlab/api-service} or {@code /transferlab/trainer-worker}
 * @param type    {@code dev.transferlab.job.<type>}, e.g. {@code dev.transferlab.job.epoch-completed}
 * @param subject the job's id
 */
public record CloudEventAttributes(String id, URI source, String type, String subject, Instant time,
                                   String dataContentType) {
    public static final String SPEC_VERSION = "1.0";
    public static final String TYPE_PREFIX = "dev.transferlab.job.";
    public static final String DATA_CONTENT_TYPE = "application/json";

    public static CloudEventAttributes of(TrainingEvent event, String producer) {
        return new CloudEventAttributes(event.eventId(), URI.create("/transferlab/" + producer),
                TYPE_PREFIX + event.type().wireName(), event.jobId(), event.timestamp(), DATA_CONTENT_TYPE);
    }
}
