package dev.transferlab.api.auth;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * {@code transferlab.auth.enabled=false}, for one person on a laptop: every request, with or without a token, acts
 * as an admin (of the default tenant, or of the one its {@value Caller#TENANT_HEADER} header names). Said loudly at
 * start, because on a shared machine it means anyone who can reach the port can do anything.
 *
 * <p>With authentication on (the default), a start without an OpenID provider fails here with the reason, rather
 * than every request failing later.
 */
@ApplicationScoped
public class LaptopMode implements SecurityIdentityAugmentor {
    private static final Logger LOG = Logger.getLogger(LaptopMode.class);

    @Inject
    AuthSettings auth;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> authServerUrl;

    void announce(@Observes StartupEvent start) {
        if (auth.enabled() && authServerUrl.isEmpty()) {
            throw new IllegalStateException("authentication is on (transferlab.auth.enabled=true) but no OpenID"
                    + " provider is configured: set quarkus.oidc.auth-server-url to its issuer URL, or turn"
                    + " authentication off for a single-user laptop with transferlab.auth.enabled=false");
        }
        if (!auth.enabled()) {
            LOG.warn("AUTHENTICATION IS OFF (transferlab.auth.enabled=false): every request acts as an admin of any"
                    + " tenant, without a token. Use this only on a single-user laptop, never where others can reach"
                    + " this port.");
        }
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (auth.enabled()) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("laptop-user"))
                .addRoles(java.util.Set.of(Roles.ADMIN, Roles.TRAINER, Roles.VIEWER))
                .setAnonymous(false)
                .build());
    }
}
