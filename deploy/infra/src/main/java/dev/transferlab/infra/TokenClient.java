package dev.transferlab.infra;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gets access tokens from any OpenID provider's token endpoint with the resource-owner password grant, for tests and
 * the demo. JDK only, like {@link InfraProcess}: modules that depend on local-infra exclude all of its dependencies.
 */
public final class TokenClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    // Both values are JSON strings without escapes (a URL, a JWT's base64url parts): no JSON parser is needed.
    private static final Pattern TOKEN_ENDPOINT = Pattern.compile("\"token_endpoint\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");
    // A token is renewed this long before it expires, so that none expires on its way to the server.
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI tokenEndpoint;
    private final String clientId;

    public TokenClient(URI tokenEndpoint, String clientId) {
        this.tokenEndpoint = tokenEndpoint;
        this.clientId = clientId;
    }

    /** Reads the token endpoint from the issuer's discovery document. */
    public static TokenClient discover(URI issuer, String clientId) {
        URI discovery = URI.create(issuer.toString().replaceAll("/+$", "") + "/.well-known/openid-configuration");
        TokenClient probe = new TokenClient(discovery, clientId);
        HttpResponse<String> response = probe.send(HttpRequest.newBuilder(discovery).timeout(TIMEOUT).GET().build());
        Matcher matcher = TOKEN_ENDPOINT.matcher(response.body());
        if (response.statusCode() != 200 || !matcher.find()) {
            throw new TokenRequestException(response.statusCode(), response.body());
        }
        return new TokenClient(URI.create(matcher.group(1)), clientId);
    }

    public URI tokenEndpoint() {
        return tokenEndpoint;
    }

    /** The access token for this user; {@link TokenRequestException} with the provider's status and body otherwise. */
    public String accessToken(String username, String password) {
        return request(username, password).token();
    }

    /**
     * This user's access tokens for as long as a client runs: each call answers the current one, and logs in again
     * shortly before it expires.
     */
    public Supplier<String> session(String username, String password) {
        return new Supplier<>() {
            private Issued current;

            @Override
            public synchronized String get() {
                if (current == null || Instant.now().isAfter(current.renewAt())) {
                    current = request(username, password);
                }
                return current.token();
            }
        };
    }

    private record Issued(String token, Instant renewAt) {
    }

    private Issued request(String username, String password) {
        String form = "grant_type=password&client_id=" + encode(clientId) + "&username=" + encode(username)
                + "&password=" + encode(password);
        HttpResponse<String> response = send(HttpRequest.newBuilder(tokenEndpoint)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
        Matcher matcher = ACCESS_TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !matcher.find()) {
            throw new TokenRequestException(response.statusCode(), response.body());
        }
        Matcher expires = EXPIRES_IN.matcher(response.body());
        Instant renewAt = expires.find()
                ? Instant.now().plusSeconds(Long.parseLong(expires.group(1))).minus(RENEW_BEFORE) : Instant.now();
        return new Issued(matcher.group(1), renewAt);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TokenRequestException(0, request.uri() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRequestException(0, request.uri() + ": interrupted");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The provider refused (its HTTP status and body, e.g. 400 {@code invalid_grant} for a wrong password), or could
     * not be reached (status 0).
     */
    public static final class TokenRequestException extends RuntimeException {
        private final int status;
        private final String body;

        TokenRequestException(int status, String body) {
            super((status == 0 ? "No answer from the OpenID provider" : "OpenID provider answered " + status)
                    + ": " + body);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }
}
