package dev.transferlab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakProcessIT {
    private static final Duration LIFESPAN = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path workDir;

    private static KeycloakProcess keycloak;

    @BeforeAll
    static void start() {
        long started = System.nanoTime();
        keycloak = KeycloakProcess.start(workDir, 0, LIFESPAN);
        // For the record (no assertion on speed): how long a start takes here and what it holds.
        System.err.printf("Keycloak ready in %.1f s at %s, RSS %s%n", (System.nanoTime() - started) / 1e9,
                keycloak.issuer(), residentMemory());
    }

    @AfterAll
    static void stop() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    @Order(1)
    void everyDemoUsersTokenCarriesTenantAndRolesAsTopLevelClaims() throws IOException {
        for (DemoRealm.User user : DemoRealm.USERS) {
            JsonNode claims = part(keycloak.accessToken(user), 1);

            assertThat(claims.path("iss").asText()).as(user.name()).isEqualTo(keycloak.issuer().toString());
            assertThat(claims.path("preferred_username").asText()).isEqualTo(user.name());
            assertThat(strings(claims.path("aud"))).as(user.name()).contains(KeycloakProcess.API_CLIENT);
            if (user.tenant() == null) {
                assertThat(claims.has(DemoRealm.TENANT_CLAIM)).as(user.name()).isFalse();
            } else {
                assertThat(claims.path(DemoRealm.TENANT_CLAIM).isTextual()).as(user.name()).isTrue();
                assertThat(claims.path(DemoRealm.TENANT_CLAIM).asText()).as(user.name()).isEqualTo(user.tenant());
            }
            assertThat(claims.path(DemoRealm.ROLES_CLAIM).isArray()).as(user.name()).isTrue();
            assertThat(strings(claims.path(DemoRealm.ROLES_CLAIM))).as(user.name())
                    .containsExactlyInAnyOrderElementsOf(user.roles());
            long exp = claims.path("exp").asLong();
            assertThat(exp - claims.path("iat").asLong()).as(user.name()).isEqualTo(LIFESPAN.toSeconds());
            assertThat(exp).isGreaterThan(Instant.now().getEpochSecond());
        }
    }

    @Test
    @Order(2)
    void aliceAndBobAreInDifferentTenants() throws IOException {
        JsonNode alice = part(keycloak.accessToken(DemoRealm.ALICE), 1);
        JsonNode bob = part(keycloak.accessToken(DemoRealm.BOB), 1);

        assertThat(alice.path(DemoRealm.TENANT_CLAIM).asText()).isEqualTo(DemoRealm.ACME);
        assertThat(bob.path(DemoRealm.TENANT_CLAIM).asText()).isEqualTo(DemoRealm.GLOBEX);
        assertThat(alice.path("sub").asText()).isNotBlank().isNotEqualTo(bob.path("sub").asText());
    }

    @Test
    @Order(3)
    void tokenIsSignedByTheKeyTheJwksServesUnderItsKid() throws Exception {
        String token = keycloak.accessToken(DemoRealm.ALICE);
        JsonNode header = part(token, 0);
        JsonNode discovery = get(URI.create(keycloak.issuer() + "/.well-known/openid-configuration"));
        JsonNode jwks = get(URI.create(discovery.path("jwks_uri").asText()));

        JsonNode key = null;
        for (JsonNode candidate : jwks.path("keys")) {
            if (candidate.path("kid").asText().equals(header.path("kid").asText())) {
                key = candidate;
            }
        }
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(key).as("JWKS key with kid " + header.path("kid")).isNotNull();
        assertThat(key.path("use").asText()).isEqualTo("sig");

        String[] parts = token.split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(rsaKey(key));
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rs256.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    /** RFC 6749 §5.2: a wrong password is {@code invalid_grant} with 400, as is an unknown user. */
    @Test
    @Order(4)
    void wrongPasswordAndUnknownUserAreRefusedByTheProvider() {
        TokenClient tokens = keycloak.tokens();

        for (String[] login : List.of(new String[] {DemoRealm.ALICE.name(), "not-alice"},
                new String[] {"mallory", "mallory"})) {
            assertThatThrownBy(() -> tokens.accessToken(login[0], login[1])).as(login[0])
                    .isInstanceOfSatisfying(TokenClient.TokenRequestException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.body()).contains("\"invalid_grant\"");
                    });
        }
    }

    @Test
    @Order(5)
    void closeStopsTheServerAndItsJvm() {
        List<ProcessHandle> processes = new ArrayList<>(serverProcesses());
        assertThat(processes).isNotEmpty();

        keycloak.close();

        assertThat(keycloak.isRunning()).isFalse();
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(keycloak.issuer()).build(),
                HttpResponse.BodyHandlers.discarding())).isInstanceOf(ConnectException.class);
    }

    private static JsonNode part(String jwt, int index) throws IOException {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return JSON.readTree(Base64.getUrlDecoder().decode(parts[index]));
    }

    private static JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** {@code aud} is a string or an array of strings. */
    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else if (node.isTextual()) {
            values.add(node.asText());
        }
        return values;
    }

    private static PublicKey rsaKey(JsonNode jwk) throws Exception {
        Base64.Decoder base64 = Base64.getUrlDecoder();
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, base64.decode(jwk.path("n").asText())),
                new BigInteger(1, base64.decode(jwk.path("e").asText()))));
    }

    private static List<ProcessHandle> serverProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("keycloak"))
                .toList();
    }

    private static String residentMemory() {
        long kib = 0;
        for (ProcessHandle process : serverProcesses()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return "unknown (" + e + ")";
            }
        }
        return kib / 1024 + " MiB";
    }
}
