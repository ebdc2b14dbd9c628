package dev.transferlab.api.console;

import dev.transferlab.api.auth.AuthSettings;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;

/**
 * What the web console (served from {@code META-INF/resources/console}) needs before anyone has logged in: whether
 * tokens are checked, and where and as which client the browser logs in. None of it is secret: the console's client
 * is public and proves itself with PKCE. The console's own plumbing, not part of the REST API, so hidden from its
 * OpenAPI document.
 */
@Path("/")
@PermitAll
public class ConsoleResource {

    /**
     * @param issuer   the OpenID provider's issuer, as the browser reaches it
     * @param clientId the provider's public client for the console
     */
    public record ConsoleConfig(boolean authEnabled, String issuer, String clientId, String tenantClaim,
                                String rolesClaim) {
    }

    @Inject
    AuthSettings auth;

    @Inject
    ConsoleSettings console;

    @GET
    @Operation(hidden = true)
    @Path("console/config")
    @Produces(MediaType.APPLICATION_JSON)
    public ConsoleConfig settings() {
        return new ConsoleConfig(auth.enabled(), console.issuer().orElse(null), console.clientId(),
                auth.tenantClaim(), auth.rolesClaim());
    }

    /** The service's root is the console. */
    @GET
    @Operation(hidden = true)
    public Response root() {
        return Response.seeOther(URI.create("/console/")).build();
    }
}
