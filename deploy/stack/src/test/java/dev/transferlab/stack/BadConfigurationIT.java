package dev.transferlab.stack;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A service given a bad setting stops as it starts, and its log names the setting: an operator learns of a typo in a
 * manifest from the pod's first lines, not from the first request or job that needs the value. No broker or store
 * runs here; each service fails before it would reach one.
 */
class BadConfigurationIT {

    @TempDir
    Path logs;

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource(delimiter = '|', value = {
        "api-service    | transferlab.s3.max-attempts         | 0     | must be greater than or equal to 1",
        "api-service    | transferlab.s3.endpoint             | minio | must be an http:// or https:// URL with a host",
        "api-service    | transferlab.sse.client-buffer       | 0     | must be greater than or equal to 1",
        "api-service    | transferlab.sse.heartbeat-interval  | often | with the config value \"often\" threw",
        "api-service    | transferlab.backbone.max-gflops     | 0     | must be greater than 0",
        "api-service    | transferlab.datasets.max-upload-size | 0    | must be greater than 0",
        "api-service    | transferlab.thumbnails.max-pixels   | 0     | must be greater than 0",
        "api-service    | transferlab.inference.max-images-per-request | 0 | must be greater than 0",
        "api-service    | transferlab.http.max-body-size      | 0     | must be greater than 0",
        "api-service    | transferlab.tenant.default          | Acme  | must be 1-63 lowercase letters, digits or",
        "trainer-worker | transferlab.s3.bucket               | Data_ | must be a bucket name",
        "trainer-worker | transferlab.s3.max-attempts         | ten   | with the config value \"ten\" threw",
        "trainer-worker | transferlab.backbone.max-parameters | -1    | must be greater than or equal to 1",
        "trainer-worker | transferlab.inference.batching.max-batch-size | 0 | must be greater than 0",
        "trainer-worker | transferlab.features.decode-threads | -1    | must be greater than or equal to 0",
        "trainer-worker | transferlab.batch-predictions.part-size | 0 | must be greater than 0"})
    void stopsAtStartNamingTheSetting(String service, String property, String value, String says)
            throws IOException {
        Path jar = Stack.home().resolve(service + "/target/quarkus-app/quarkus-run.jar");
        Map<String, String> config = Map.of(property, value, "transferlab.auth.enabled", "false");

        assertThatThrownBy(() -> ServiceProcess.start(service, jar, freePort(), config, logs, Duration.ofSeconds(60))
                .close()).hasMessageContaining(service + " exited with 1");
        assertThat(Files.readString(logs.resolve(service + ".log")))
                .contains("Configuration validation failed", property + " " + says);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
