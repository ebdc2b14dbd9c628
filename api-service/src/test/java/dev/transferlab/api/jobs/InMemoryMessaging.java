package dev.transferlab.api.jobs;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole api-service with its channels in SmallRye's in-memory connector instead of Kafka, for fast tests of the
 * HTTP layer: a test feeds the workers' events in ({@code InMemoryConnector.source("training-events")}) and reads what
 * the service wrote ({@code sink("job-records")}). The job store is a real PostgreSQL
 * ({@link EmbeddedPostgresResource}). Nothing listens on the object store's address, so what needs the object store
 * is left to the ITs. Heartbeats come often and a follower may fall few events behind, so those are quick to see.
 */
public class InMemoryMessaging implements QuarkusTestProfile {
    static final String HEARTBEAT = "200ms";
    static final int CLIENT_BUFFER = 16;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("mp.messaging.outgoing.job-records.connector", "smallrye-in-memory"),
                Map.entry("mp.messaging.incoming.training-events.connector", "smallrye-in-memory"),
                Map.entry("mp.messaging.outgoing.audit.connector", "smallrye-in-memory"),
                Map.entry("mp.messaging.outgoing.inference-requests.connector", "smallrye-in-memory"),
                // SmallRye's KafkaRequestReply opens its own Kafka consumer for the replies, whatever the channel's
                // connector; predictions are left to the ITs.
                Map.entry("mp.messaging.outgoing.inference-requests.enabled", "false"),
                Map.entry("transferlab.s3.endpoint", "http://127.0.0.1:9"),
                Map.entry("transferlab.s3.access-key", "none"),
                Map.entry("transferlab.s3.secret-key", "none"),
                Map.entry("transferlab.s3.max-attempts", "1"),
                Map.entry("transferlab.sse.heartbeat-interval", HEARTBEAT),
                Map.entry("transferlab.sse.client-buffer", String.valueOf(CLIENT_BUFFER)));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EmbeddedPostgresResource.class));
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(InMemoryJobRecords.class);
    }
}
