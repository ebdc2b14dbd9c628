package dev.transferlab.worker.messaging;

import dev.transferlab.common.messages.Topics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the training channel subscribes to, read as the Kafka consumer reads it: a whole-name match of the pattern. */
class TrainingRequestTopicsTest {

    @Test
    void theChannelSubscribesToTheApiServicesTopicAndEveryTenantsOwnAndNothingElse() throws IOException {
        Properties config = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            config.load(in);
        }
        assertThat(config.getProperty("mp.messaging.incoming.training-requests.pattern")).isEqualTo("true");
        String topic = config.getProperty("mp.messaging.incoming.training-requests.topic");
        assertThat(topic).isEqualTo(Topics.TRAINING_REQUESTS_PATTERN);
        Pattern subscribed = Pattern.compile(topic);

        assertThat(List.of(Topics.TRAINING_REQUESTS, Topics.tenantTrainingRequests("acme"),
                Topics.tenantTrainingRequests("globex-2"))).allMatch(t -> subscribed.matcher(t).matches());
        assertThat(List.of(Topics.DEAD_LETTERS, Topics.TRAINING_CONTROL, Topics.TRAINING_EVENTS,
                "transferlabXtraining-requests", "transferlab.training-requests.old", "transferlab.tenants.acme",
                "transferlab.tenants..training-requests", "transferlab.tenants.acme.globex.training-requests",
                "transferlab.tenants.Acme.training-requests", "transferlab.tenants.acme.training-control"))
                .noneMatch(t -> subscribed.matcher(t).matches());
        assertThat(Topics.tenantOfTrainingRequests(Topics.tenantTrainingRequests("acme"))).hasValue("acme");
        assertThat(Topics.tenantOfTrainingRequests(Topics.TRAINING_REQUESTS)).isEmpty();
    }
}
