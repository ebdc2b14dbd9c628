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
     * README's table (each service's application.properties holds the defaults); {@code property} looks one up by
     * name (a service passes its MicroProfile Config). A blank value counts as unset.
     */
    public static S3Settings fromProperties(Function<String, Optional<String>> property) {
        Function<String, Optional<String>> set = name -> property.apply("transferlab.s3." + name)
                .filter(value -> !value.isBlank());
        Function<String, String> required = name -> set.apply(name).orElseThrow(() -> new IllegalArgumentException(
                "the property transferlab.s3." + name + " is not set"));
        return new S3Settings(set.apply("endpoint"), required.apply("region"),
                Boolean.parseBoolean(required.apply("path-style")), set.apply("access-key"), set.apply("secret-key"),
                required.apply("bucket"), Integer.parseInt(required.apply("max-attempts")));
    }

    /** A self-hosted store (S3Proxy, MinIO) with static credentials, as the local stack and the tests use. */
    public static S3Settings selfHosted(String endpoint, String accessKey, String secretKey, String bucket) {
        return new S3Settings(Optional.of(endpoint), "us-east-1", true, Optional.of(accessKey),
                Optional.of(secretKey), bucket, DEFAULT_MAX_ATTEMPTS);
    }
}
