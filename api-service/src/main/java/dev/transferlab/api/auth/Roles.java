package dev.transferlab.api.auth;

/**
 * The roles a token's roles claim may carry. Each implies the ones below it
 * ({@code quarkus.http.auth.roles-mapping} in application.properties), so an endpoint names the least it needs.
 */
public final class Roles {
    /** Reads the tenant's datasets, jobs, events and models. */
    public static final String VIEWER = "viewer";
    /** Also uploads, trains, cancels, deletes and predicts. */
    public static final String TRAINER = "trainer";
    /** Also acts for any tenant: the one named by the {@link Caller#TENANT_HEADER} header. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
