package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The api-service checks bearer tokens in every overlay, against an OpenID provider the overlay names. */
class OpenIdProviderTest {
    static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void authenticationIsOnAgainstTheOverlaysProvider(String overlay) {
        JsonNode config = Manifests.one(Kubectl.build(overlay), "ConfigMap", "api-service").path("data");
        assertThat(config.path("TRANSFERLAB_AUTH_ENABLED").asText()).isEqualTo("true");
        URI issuer = URI.create(config.path("QUARKUS_OIDC_AUTH_SERVER_URL").asText());
        assertThat(issuer.getScheme()).isIn("http", "https");
        assertThat(issuer.getHost()).isNotEmpty();
        assertThat(config.path("QUARKUS_OIDC_CLIENT_ID").asText()).isEqualTo("transferlab");
        assertThat(config.path("TRANSFERLAB_AUTH_TENANT_CLAIM").asText()).isEqualTo("tenant");
        assertThat(config.path("TRANSFERLAB_AUTH_ROLES_CLAIM").asText()).isEqualTo("roles");
    }
}
