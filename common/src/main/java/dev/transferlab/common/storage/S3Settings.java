package dev.transferlab.common.storage;

import java.util.Optional;
import java.util.function.Function;

/**
 * How to reach the object store. {@code endpoint} empty means AWS itself; path-style is what S3Proxy, MinIO and most
 * self-hosted stores need. {@code maxAttempts} bounds how long an outage is ridden out: each failed call is retried
 * with exponential backoff (0.2 s doubling, at most 10 s apart), so 10 attempts wait about a minute.
 */
public record S3Settings(Optional<String> endpoint, String region, boolean pathStyle, Optional<String> accessKey,
                         Optional<String> secretKey, String bucket, int maxAttempts) {

    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    /**
     * The settings both services read from their configuration, the {@code transferlab.s3.*} properties of the
     * README's table; {@code property} looks one up by name (a service passes its MicroProfile Config).
     */
    public static S3Settings fromProperties(Function<String, Optional<String>> property) {
        Function<String, Optional<String>> set = name -> property.apply("transferlab.s3." + name)
                .filter(value -> !value.isBlank());
        return new S3Settings(set.apply("endpoint"), set.apply("region").orElse("us-east-1"),
                set.apply("path-style").map(Boolean::parseBoolean).orElse(true), set.apply("access-key"),
                set.apply("secret-key"), set.apply("bucket").orElse("transferlab"),
                set.apply("max-attempts").map(Integer::parseInt).orElse(DEFAULT_MAX_ATTEMPTS));
    }

    /** A self-hosted store (S3Proxy, MinIO) with static credentials, as the local stack and the tests use. */
    public static S3Settings selfHosted(String endpoint, String accessKey, String secretKey, String bucket) {
        return new S3Settings(Optional.of(endpoint), "us-east-1", true, Optional.of(accessKey),
                Optional.of(secretKey), bucket, DEFAULT_MAX_ATTEMPTS);
    }
}
