package dev.transferlab.infra;

import java.util.List;

/**
 * The demo tenants and users of {@code src/main/keycloak/transferlab-realm.json}, which {@link KeycloakProcess}
 * imports; KeycloakProcessIT checks that the tokens say what these records say.
 *
 * <p>Access tokens carry the tenant in the top-level claim {@value #TENANT_CLAIM} (a string: the user's group's
 * {@code tenant} attribute; {@code root} has none) and the roles in {@value #ROLES_CLAIM} (a flat array of the user's
 * roles of the client {@value KeycloakProcess#API_CLIENT}).
 */
public final class DemoRealm {
    public static final String TENANT_CLAIM = "tenant";
    public static final String ROLES_CLAIM = "roles";
    public static final String ACME = "acme";
    public static final String GLOBEX = "globex";
    public static final String VIEWER = "viewer";
    public static final String TRAINER = "trainer";
    public static final String ADMIN = "admin";

    /** A user whose password is their name; {@code tenant} is null for the platform's administrator. */
    public record User(String name, String password, String tenant, List<String> roles) {
        @Override
        public String toString() {
            return name + " (password " + password + ", tenant " + (tenant == null ? "none" : tenant)
                    + ", roles " + String.join(",", roles) + ")";
        }
    }

    public static final User ALICE = new User("alice", "alice", ACME, List.of(TRAINER));
    public static final User ANN = new User("ann", "ann", ACME, List.of(VIEWER));
    public static final User BOB = new User("bob", "bob", GLOBEX, List.of(TRAINER));
    public static final User ROOT = new User("root", "root", null, List.of(ADMIN));
    public static final List<User> USERS = List.of(ALICE, ANN, BOB, ROOT);

    private DemoRealm() {
    }
}
