package dev.transferlab.common.storage;

import java.util.Optional;

/**
 * How to reach the object store ({@link S3Config} reads and checks it from a service's configuration). {@code endpoint}
 * empty means AWS itself; path-style is what S3Proxy, MinIO and most self-hosted stores need. {@code maxAttempts}
 * bounds how long an outage is ridden out: each failed call is retried with exponential backoff (0.2 s doubling, at
 * most 10 s apart), so 10 attempts wait about a minute.
 */
public record S3Settings(Optional<String> endpoint, String region, boolean pathStyle, Optional<String> accessKey,
                         Optional<String> secretKey, String bucket, int maxAttempts) {

    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    /** A self-hosted store (S3Proxy, MinIO) with static credentials, as the local stack and the tests use. */
    public static S3Settings selfHosted(String endpoint, String accessKey, String secretKey, String bucket) {
        return new S3Settings(Optional.of(endpoint), "us-east-1", true, Optional.of(accessKey),
                Optional.of(secretKey), bucket, DEFAULT_MAX_ATTEMPTS);
    }
}
