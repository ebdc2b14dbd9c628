package dev.transferlab.common.storage;

import dev.transferlab.common.messages.Ids;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which object-storage prefixes a tenant may train on or register: its own datasets area of the platform bucket
 * ({@link StorageLayout#tenantDatasets}), and the prefixes granted to it in configuration. The same rule runs in the
 * api-service (before a job is accepted) and in every worker (before a command touches storage), so that a command
 * written straight to Kafka gets no further than an HTTP request.
 *
 * <p>A refusal names only the location that was asked for, never what exists elsewhere.
 */
public final class DatasetAccess {
    /** The platform's own areas of its bucket: never granted, never registered, never trained on directly. */
    public static final List<String> PLATFORM_AREAS = List.of("datasets/", "models/", "features/", "checkpoints/",
            "backbones/", "inference-payloads/", "predictions/");

    private final String platformBucket;
    private final Map<String, List<ObjectLocation>> grants;

    /**
     * @param grants per tenant, the prefixes ({@code s3://bucket/prefix/}, or a key prefix of the platform bucket) it
     *               may read as datasets
     * @throws IllegalArgumentException when a tenant breaks the id rule, or a grant is not a clean prefix or reaches
     *                                  into the platform's own areas
     */
    public DatasetAccess(String platformBucket, Map<String, List<String>> grants) {
        this.platformBucket = platformBucket;
        this.grants = grants.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                e -> requireTenant(e.getKey()),
                e -> e.getValue().stream().map(g -> grant(e.getKey(), g)).toList()));
    }

    public static DatasetAccess ownDatasetsOnly(String platformBucket) {
        return new DatasetAccess(platformBucket, Map.of());
    }

    /**
     * @return why {@code tenant} may not train on {@code location}, or empty when it may: the location is in the
     * tenant's own datasets area or in a prefix granted to it
     */
    public Optional<String> trainingRefusal(String tenant, String location) {
        return parse(location).map(Optional::of).orElseGet(() ->
                readRefusal(tenant, ObjectLocation.parse(location, platformBucket).asPrefix()));
    }

    private Optional<String> readRefusal(String tenant, ObjectLocation target) {
        ObjectLocation own = new ObjectLocation(platformBucket, StorageLayout.tenantDatasets(tenant));
        return within(target, own) || isGranted(tenant, target) ? Optional.empty()
                : Optional.of(notTenants(tenant, target));
    }

    /**
     * @return why {@code tenant} may not load a job's backbone weights from {@code location}, or empty when it may:
     * an object in storage follows the training rule (a job must not read another tenant's upload as weights);
     * {@code https://} URLs are the workers' host list's to judge
     */
    public Optional<String> weightsRefusal(String tenant, String location) {
        if (location == null || location.startsWith("https://")) {
            return Optional.empty();
        }
        return parse(location).map(Optional::of).orElseGet(() ->
                readRefusal(tenant, ObjectLocation.parse(location, platformBucket)));
    }

    /**
     * @return why {@code tenant} may not register {@code location} as a dataset in place, or empty when it may: only
     * prefixes granted to the tenant can be registered (its own area holds uploads, which have manifests already)
     */
    public Optional<String> registrationRefusal(String tenant, String location) {
        return parse(location).map(Optional::of).orElseGet(() -> {
            ObjectLocation prefix = ObjectLocation.parse(location, platformBucket).asPrefix();
            return isGranted(tenant, prefix) ? Optional.empty() : Optional.of(notTenants(tenant, prefix)
                    + "; ask the platform team to grant the prefix (transferlab.dataset-grants." + tenant + ")");
        });
    }

    private boolean isGranted(String tenant, ObjectLocation prefix) {
        return grants.getOrDefault(tenant, List.of()).stream().anyMatch(grant -> within(prefix, grant));
    }

    private static boolean within(ObjectLocation prefix, ObjectLocation area) {
        return prefix.bucket().equals(area.bucket()) && prefix.key().startsWith(area.key());
    }

    private static String notTenants(String tenant, ObjectLocation target) {
        return target + " is not in a dataset area of tenant '" + tenant + "'";
    }

    /**
     * A location whose key has empty, "." or ".." segments: S3 keys are literal, but the stores behind the S3 API
     * (file systems, gateways) may not all be, so no such key is let near a prefix check.
     */
    private static Optional<String> parse(String location) {
        if (location == null || location.isBlank()) {
            return Optional.of("a dataset location is required");
        }
        ObjectLocation parsed = ObjectLocation.parse(location, "bucket");
        if (parsed.bucket().isEmpty()) {
            return Optional.of("'" + location + "' names no bucket");
        }
        String key = parsed.key();
        if (key.startsWith("/") || key.contains("//") || ("/" + key + "/").contains("/./")
                || ("/" + key + "/").contains("/../")) {
            return Optional.of("'" + location + "' has an empty, '.' or '..' segment");
        }
        return Optional.empty();
    }

    private ObjectLocation grant(String tenant, String location) {
        parse(location).ifPresent(problem -> {
            throw new IllegalArgumentException("grant for tenant '" + tenant + "': " + problem);
        });
        ObjectLocation prefix = ObjectLocation.parse(location, platformBucket).asPrefix();
        if (prefix.bucket().equals(platformBucket)
                && (prefix.key().isEmpty() || PLATFORM_AREAS.stream().anyMatch(prefix.key()::startsWith))) {
            throw new IllegalArgumentException("grant for tenant '" + tenant + "': " + prefix
                    + " is inside the platform's own storage, which is never granted");
        }
        return prefix;
    }

    private static String requireTenant(String tenant) {
        if (!Ids.isValid(tenant)) {
            throw new IllegalArgumentException("dataset grants name tenant '" + tenant + "', which breaks the id rule: "
                    + Ids.RULE);
        }
        return tenant;
    }
}
