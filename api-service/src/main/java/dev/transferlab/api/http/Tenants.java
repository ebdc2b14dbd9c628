package dev.transferlab.api.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which tenant a request acts for. Until authentication exists it is the {@value #HEADER} header or the configured
 * default; the name is checked because it becomes part of object-storage keys.
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
        if (!header.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new ProblemException(Response.Status.BAD_REQUEST,
                    HEADER + " must be 1-63 lowercase letters, digits or '-', starting with a letter or digit");
        }
        return header;
    }
}
