package dev.transferlab.api.auth;

import io.smallrye.config.ConfigMapping;

/**
 * Who a caller is, {@code transferlab.auth.*}; application.properties holds the values, since Quarkus's OIDC settings
 * are derived from them there.
 */
@ConfigMapping(prefix = "transferlab.auth")
public interface AuthSettings {

    /** false is for a single-user laptop only: every request then acts as an admin ({@link LaptopMode}). */
    boolean enabled();

    /** The token's claim that names the caller's tenant. */
    String tenantClaim();

    /** The token's claim that lists the caller's roles (viewer, trainer, admin). */
    String rolesClaim();
}
