package dev.transferlab.api.infra;

import dev.transferlab.api.http.LocalInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

/**
 * Readiness covers the prediction replies, and this replica's reply consumer is in a group of its own (a group
 * shared by the replicas left all but one without replies).
 */
@QuarkusTest
@QuarkusTestResource(value = LocalInfraResource.class, restrictToAnnotatedClass = true)
class ReplyConsumerHealthCheckIT {

    @Inject
    @Channel("inference-requests")
    KafkaRequestReply<String, String> requestReply;

    @Test
    void readinessSaysTheReplyConsumerHoldsEveryReplyPartition() throws InterruptedException {
        // Ready comes a moment after start, once every check (the projection's catch-up too) has its partitions.
        Instant giveUp = Instant.now().plusSeconds(120);
        while (given().get("/q/health/ready").statusCode() != 200) {
            assertThat(Instant.now()).as("the api-service became ready").isBefore(giveUp);
            Thread.sleep(200);
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.findAll { it.name == 'inference-replies' }.status", hasItem("UP"))
                .body("checks.findAll { it.name == 'inference-replies' }.data.topic",
                        hasItem("transferlab.inference-results"));
    }

    @Test
    void theReplyConsumerIsInAGroupOfItsOwn() {
        String group = requestReply.getConsumer().runOnPollingThread(c -> {
                    return c.groupMetadata().groupId(); // a block, so that it is a Function, not a Consumer
                })
                .await().atMost(Duration.ofSeconds(10));
        assertThat(group).startsWith("transferlab-api-replies-").isNotEqualTo("transferlab-api-replies-");
    }
}
