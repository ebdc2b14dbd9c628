package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import java.util.Map;

/**
 * A job's events as SSE, for training and batch prediction jobs alike: history first (or only what follows
 * {@code Last-Event-ID}), then live events, with a comment line every heartbeat interval so proxies keep an idle stream
 * open. The stream ends after the terminal event, or with an {@code error} event when the client is too slow to keep
 * up.
 */
@ApplicationScoped
class JobEventStream {
    private final JobProjection projection;
    private final SseSettings settings;

    JobEventStream(JobProjection projection, SseSettings settings) {
        this.projection = projection;
        this.settings = settings;
    }

    Multi<OutboundSseEvent> sse(JobView job, String lastEventId, Sse sse) {
        Multi<TrainingEvent> events = projection.follow(job.id(), lastEventId);
        Multi<OutboundSseEvent> sseEvents = events
                .map(e -> sse.newEventBuilder()
                        .id(e.eventId())
                        .name(e.type().wireName())
                        // Already JSON, in exactly the form it has on Kafka.
                        .mediaType(MediaType.TEXT_PLAIN_TYPE)
                        .data(Messages.toJson(e))
                        .build())
                .onFailure(JobProjection.SlowClientException.class).recoverWithItem(e -> sse.newEventBuilder()
                        .name("error").mediaType(MediaType.TEXT_PLAIN_TYPE)
                        .data(Messages.toJson(Map.of("reason", e.getMessage()))).build());
        OutboundSseEvent end = sse.newEventBuilder().comment("end").build();
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(settings.heartbeatInterval())
                .onOverflow().drop()
                .map(tick -> sse.newEventBuilder().comment("heartbeat").build());
        return Multi.createBy().merging().streams(sseEvents.onCompletion().continueWith(end), heartbeats)
                .select().first(e -> e != end);
    }
}
