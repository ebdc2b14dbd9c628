package dev.transferlab.common.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import java.util.Optional;

/**
 * The object store's settings, {@code transferlab.s3.*}, as both services read them: the one place their names,
 * defaults and rules are written. An empty value counts as unset. Each service checks the rules as it starts (its
 * Hibernate Validator), so a bad value stops start-up with the property's name rather than failing the first call.
 */
@ConfigMapping(prefix = "transferlab.s3")
public interface S3Config {

    String URL = "https?://[^/?#\\s]+([/?#].*)?";
    String NOT_A_URL = "must be an http:// or https:// URL with a host, or unset for AWS";

    /** The store's URL, such as {@code http://minio:9000}; unset means AWS itself. */
    Optional<@Pattern(regexp = URL, message = NOT_A_URL) String> endpoint();

    @WithDefault("us-east-1")
    String region();

    /** Path-style addressing, which S3Proxy, MinIO and most self-hosted stores need. */
    @WithDefault("true")
    boolean pathStyle();

    /** Static keys (a Secret on Kubernetes); unset: the AWS SDK's default chain (environment, web identity, role). */
    Optional<String> accessKey();

    Optional<String> secretKey();

    @WithDefault("transferlab")
    @Pattern(regexp = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
            message = "must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens")
    String bucket();

    /** Attempts per S3 call, with exponential backoff (0.2 s doubling, at most 10 s apart): 10 ride out a minute. */
    @WithDefault("10")
    @Min(1)
    int maxAttempts();

    default S3Settings settings() {
        return new S3Settings(endpoint(), region(), pathStyle(), accessKey(), secretKey(), bucket(), maxAttempts());
    }
}
