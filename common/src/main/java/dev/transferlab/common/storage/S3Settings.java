package dev.transferlab.common.storage;

import java.util.Optional;

/**
 * How to reach the object store. {@code endpoint} empty means AWS itself; path-style is what S3Proxy, MinIO and most
 * self-hosted stores need. {@code maxAttempts} bounds how long an outage is ridden out: each failed call is retried
 * with exponential backoff (0.2 s doubling, at most 10 s apart), so 10 attempts wait about a minute.
 */
public record S3Settings(Optional<String> endpoint, String region, boolean pathStyle, Optional<String> accessKey,
                         Optional<String> secretKey, String bucket, int maxAttempts) {

    public static final int DEFAULT_MAX_ATTEMPTS = 10;
}
