package dev.transferlab.api.auth;

/**
 * Who a request comes from and which tenant it acts for. Every resource is scoped by {@link #tenant()}; an admin may
 * also see any tenant's jobs by id.
 *
 * @param subject the user, as the token names them (for the audit trail)
 * @param tenant  the tenant acted for: the token's tenant claim, or for an admin the {@value #TENANT_HEADER} header
 */
public record Caller(String subject, String tenant, boolean admin) {
    /** Honoured only for admins (and on a laptop with authentication off, where the one user is an admin). */
    public static final String TENANT_HEADER = "X-Tenant";

    /** Whether a resource owned by {@code owner} is visible; answering 404 otherwise keeps ids from telling. */
    public boolean sees(String owner) {
        return admin || tenant.equals(owner);
    }
}
