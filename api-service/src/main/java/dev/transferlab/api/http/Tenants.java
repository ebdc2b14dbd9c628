package dev.transferlab.api.http;

import dev.transferlab.common.messages.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which tenant a request acts for. Until authentication exists it is the {@value #HEADER} header or the configured
 * default; the name follows {@link Ids}' rule because it becomes part of object-storage keys.
 */
@ApplicationScoped
public class Tenants {
    public static final String HEADER = "X-Tenant";

    @ConfigProperty(name = "transferlab.tenant.default")
    String defaultTenant;

    public String resolve(String header) {
        if (header == null || header.isBlank()) {
            return defaultTenant;
        }
        if (!Ids.isValid(header)) {
            throw new ProblemException(Response.Status.BAD_REQUEST, HEADER + " must be " + Ids.RULE);
        }
        return header;
    }
}
