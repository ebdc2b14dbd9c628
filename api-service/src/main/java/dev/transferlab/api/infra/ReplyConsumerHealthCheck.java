package dev.transferlab.api.infra;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Ready only while this replica can receive the replies to its predictions: the request emitter still runs and its
 * reply consumer is assigned every partition of the reply topic. Without it a replica that cannot hear back (no
 * assignment yet, its consumer failed) would be sent predictions and answer each with a 504.
 */
@Readiness
@ApplicationScoped
public class ReplyConsumerHealthCheck implements AsyncHealthCheck {
    static final String NAME = "inference-replies";
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    @Channel("inference-requests")
    KafkaRequestReply<String, String> requestReply;

    @ConfigProperty(name = "mp.messaging.outgoing.inference-requests.reply.topic")
    String replyTopic;

    @Override
    public Uni<HealthCheckResponse> call() {
        if (requestReply instanceof MutinyEmitter<?> emitter && emitter.isCancelled()) {
            return Uni.createFrom().item(down("the request emitter is not subscribed (or was cancelled)"));
        }
        // The consumer is not thread-safe: what it knows is read on its own polling thread, between two polls.
        return requestReply.getConsumer().runOnPollingThread(consumer -> {
                    Set<TopicPartition> assigned = consumer.assignment();
                    List<PartitionInfo> partitions = consumer.partitionsFor(replyTopic);
                    long missing = partitions.stream()
                            .filter(p -> !assigned.contains(new TopicPartition(p.topic(), p.partition()))).count();
                    return missing == 0 && !partitions.isEmpty()
                            ? HealthCheckResponse.named(NAME).up().withData("topic", replyTopic)
                                    .withData("partitions", partitions.size()).build()
                            : down(missing + " of " + partitions.size() + " reply partitions not assigned yet");
                })
                .ifNoItem().after(CHECK_TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> down("the reply consumer did not answer: " + e));
    }

    private HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named(NAME).down().withData("topic", replyTopic).withData("error", reason)
                .build();
    }
}
