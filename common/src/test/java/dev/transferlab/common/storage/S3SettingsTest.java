package dev.transferlab.common.storage;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    @Test
    void readsTheServicesPropertiesAndTreatsBlankAsUnset() {
        Map<String, String> properties = Map.of("transferlab.s3.endpoint", "http://minio:9000",
                "transferlab.s3.region", "eu-west-1", "transferlab.s3.path-style", "false",
                "transferlab.s3.access-key", "", "transferlab.s3.bucket", "models",
                "transferlab.s3.max-attempts", "3");

        S3Settings settings = S3Settings.fromProperties(name -> Optional.ofNullable(properties.get(name)));

        assertThat(settings).isEqualTo(new S3Settings(Optional.of("http://minio:9000"), "eu-west-1", false,
                Optional.empty(), Optional.empty(), "models", 3));
    }

    @Test
    void aMissingRequiredPropertyIsNamed() {
        Map<String, String> properties = Map.of("transferlab.s3.region", "us-east-1",
                "transferlab.s3.path-style", "true", "transferlab.s3.max-attempts", "10");

        assertThatThrownBy(() -> S3Settings.fromProperties(name -> Optional.ofNullable(properties.get(name))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transferlab.s3.bucket");
    }
}
