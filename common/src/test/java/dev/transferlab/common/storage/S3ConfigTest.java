package dev.transferlab.common.storage;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The mapping as SmallRye Config, which both services run on, builds it from their properties. Its constraints are
 * checked by each service's Hibernate Validator as it starts, which BadConfigurationIT runs.
 */
class S3ConfigTest {

    @Test
    void unsetPropertiesTakeTheDefaultsAWorkerAndTheApiShare() {
        assertThat(settings(Map.of())).isEqualTo(new S3Settings(Optional.empty(), "us-east-1", true,
                Optional.empty(), Optional.empty(), "transferlab", S3Settings.DEFAULT_MAX_ATTEMPTS));
    }

    @Test
    void readsEveryPropertyAndTreatsBlankAsUnset() {
        S3Settings settings = settings(Map.of("transferlab.s3.endpoint", "http://minio:9000",
                "transferlab.s3.region", "eu-west-1", "transferlab.s3.path-style", "false",
                "transferlab.s3.access-key", "", "transferlab.s3.secret-key", "", "transferlab.s3.bucket", "models",
                "transferlab.s3.max-attempts", "3"));

        assertThat(settings).isEqualTo(new S3Settings(Optional.of("http://minio:9000"), "eu-west-1", false,
                Optional.empty(), Optional.empty(), "models", 3));
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedByName() {
        assertThatThrownBy(() -> settings(Map.of("transferlab.s3.max-attempts", "ten")))
                .hasMessageContaining("transferlab.s3.max-attempts");
    }

    private static S3Settings settings(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(S3Config.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(S3Config.class).settings();
    }
}
