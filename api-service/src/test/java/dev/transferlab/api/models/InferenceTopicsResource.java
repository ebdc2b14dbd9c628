package dev.transferlab.api.models;

import dev.transferlab.api.http.LocalInfraResource;
import dev.transferlab.common.messages.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local infra with the inference topics made before the api-service starts, as a stack's workers make them: the
 * {@link ScriptedWorker} takes the request topic's partitions when it starts, before any request would create it.
 */
public class InferenceTopicsResource extends LocalInfraResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.get("kafka.bootstrap.servers")))) {
            admin.createTopics(List.of(Topics.INFERENCE_REQUESTS, Topics.INFERENCE_RESULTS).stream()
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList()).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the inference topics", e);
        }
        return config;
    }
}
