package dev.transferlab.api.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** How the web console logs users in, {@code transferlab.console.*}: the authorization code flow with PKCE. */
@ConfigMapping(prefix = "transferlab.console")
public interface ConsoleSettings {

    /**
     * The OpenID provider's issuer as the browser reaches it; application.properties defaults it to the one tokens
     * are checked against.
     */
    Optional<String> issuer();

    /** The provider's public client for the console. */
    @WithDefault("transferlab-console")
    String clientId();
}
