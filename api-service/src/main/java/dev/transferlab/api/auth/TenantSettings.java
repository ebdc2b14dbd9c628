package dev.transferlab.api.auth;

import dev.transferlab.common.messages.Ids;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Pattern;

/** {@code transferlab.tenant.default}: the tenant of an admin request that names none, and of all without auth. */
@ConfigMapping(prefix = "transferlab.tenant")
public interface TenantSettings {

    @WithName("default")
    @WithDefault("default")
    @Pattern(regexp = Ids.REGEX, message = "must be " + Ids.RULE)
    String defaultTenant();
}
