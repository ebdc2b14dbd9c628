package dev.transferlab.api.auth;

import dev.transferlab.common.storage.DatasetAccess;
import dev.transferlab.common.storage.S3Config;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;

/**
 * {@code transferlab.dataset-grants.<tenant>=s3://bucket/prefix/,...}: object-storage prefixes a tenant may register
 * and train on besides its own uploads. Workers read the same properties, so both apply one {@link DatasetAccess}.
 */
@ConfigMapping(prefix = "transferlab.dataset-grants")
public interface DatasetGrants {
    @WithParentName
    Map<String, List<String>> byTenant();

    @ApplicationScoped
    class Producer {
        @Produces
        @Singleton
        DatasetAccess access(DatasetGrants grants, S3Config s3) {
            return new DatasetAccess(s3.bucket(), grants.byTenant());
        }
    }
}
