package dev.transferlab.common.storage;

import java.util.Optional;

/**
 * How to reach the object store. {@code endpoint} empty means AWS itself; path-style is what S3Proxy, MinIO and most
 * self-hosted stores need.
 */
public record S3Settings(Optional<String> endpoint, String region, boolean pathStyle, Optional<String> accessKey,
                         Optional<String> secretKey, String bucket) {
}
