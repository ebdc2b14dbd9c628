package dev.transferlab.worker.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

import java.util.List;
import java.util.Map;

/**
 * {@code transferlab.dataset-grants.<tenant>=s3://bucket/prefix/,...}: the object-storage prefixes a tenant may train
 * on besides its own datasets area; none by default. The api-service reads the same properties, and both must be given
 * the same grants: a job the api-service accepted on a grant this worker lacks fails here.
 */
@ConfigMapping(prefix = "transferlab.dataset-grants")
public interface DatasetGrants {
    @WithParentName
    Map<String, List<String>> byTenant();
}
