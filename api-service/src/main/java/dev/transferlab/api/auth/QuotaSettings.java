package dev.transferlab.api.auth;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/**
 * Per-tenant quotas: {@code transferlab.quotas.active-jobs} and so on for every tenant, and
 * {@code transferlab.quotas.tenant.<tenant>.active-jobs} to give one tenant more or less.
 */
@ConfigMapping(prefix = "transferlab.quotas")
public interface QuotaSettings {
    /** Queued plus running training jobs. */
    @WithDefault("8")
    int activeJobs();

    /** Bytes of uploaded datasets kept in the platform's store (registered ones stay where they are and count 0). */
    @WithDefault("50G")
    MemorySize datasetBytes();

    /** Prediction requests per second, per api-service replica. */
    @WithDefault("20")
    int predictionsPerSecond();

    Map<String, TenantQuota> tenant();

    interface TenantQuota {
        Optional<Integer> activeJobs();

        Optional<MemorySize> datasetBytes();

        Optional<Integer> predictionsPerSecond();
    }

    default int activeJobs(String tenant) {
        return Optional.ofNullable(tenant().get(tenant)).flatMap(TenantQuota::activeJobs).orElse(activeJobs());
    }

    default long datasetBytes(String tenant) {
        return Optional.ofNullable(tenant().get(tenant)).flatMap(TenantQuota::datasetBytes).orElse(datasetBytes())
                .asLongValue();
    }

    default int predictionsPerSecond(String tenant) {
        return Optional.ofNullable(tenant().get(tenant)).flatMap(TenantQuota::predictionsPerSecond)
                .orElse(predictionsPerSecond());
    }
}
