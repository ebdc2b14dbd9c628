package dev.transferlab.api.auth;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.messages.Ids;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonString;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Makes the request's {@link Caller} from its security identity: the tenant from the token's configured claim, or
 * for an admin from the {@value Caller#TENANT_HEADER} header. Roles are checked before a resource runs
 * ({@code @RolesAllowed}); this only decides the tenant.
 */
@ApplicationScoped
public class Callers {
    @Inject
    SecurityIdentity identity;

    @Inject
    HttpServerRequest request;

    @Inject
    AuthSettings auth;

    @Inject
    TenantSettings tenants;

    /** The current request's caller: a plain value, safe to use after the request's thread has moved on. */
    public Caller current() {
        boolean admin = identity.hasRole(Roles.ADMIN);
        String claimed = tenantClaim();
        String header = request.getHeader(Caller.TENANT_HEADER);
        String tenant;
        if (admin) {
            tenant = header != null && !header.isBlank() ? header
                    : claimed != null ? claimed : tenants.defaultTenant();
        } else if (claimed == null) {
            throw new ProblemException(Response.Status.FORBIDDEN, "the token has no '" + auth.tenantClaim()
                    + "' claim, so it acts for no tenant; ask the identity provider's administrator to add it");
        } else if (header != null && !header.equals(claimed)) {
            throw new ProblemException(Response.Status.FORBIDDEN, Caller.TENANT_HEADER
                    + " is honoured only for the admin role; leave it out to act for your own tenant");
        } else {
            tenant = claimed;
        }
        if (!Ids.isValid(tenant)) {
            throw new ProblemException(Response.Status.BAD_REQUEST, (tenant.equals(header) ? Caller.TENANT_HEADER
                    : "the token's '" + auth.tenantClaim() + "' claim") + " must be " + Ids.RULE);
        }
        return new Caller(identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName(), tenant, admin);
    }

    /** The token's tenant claim, when it is one string (a list or an object names no single tenant). */
    private String tenantClaim() {
        Object claim = identity.getPrincipal() instanceof JsonWebToken token ? token.getClaim(auth.tenantClaim())
                : null;
        if (claim == null || claim instanceof String) {
            return (String) claim;
        }
        if (claim instanceof JsonString string) {
            return string.getString();
        }
        throw new ProblemException(Response.Status.FORBIDDEN, "the token's '" + auth.tenantClaim()
                + "' claim is not one string, so it names no single tenant; ask the identity provider's administrator"
                + " to fix it");
    }
}
