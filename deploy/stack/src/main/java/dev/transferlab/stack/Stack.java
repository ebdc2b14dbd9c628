package dev.transferlab.stack;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.DemoRealm;
import dev.transferlab.infra.InfraProcess;
import dev.transferlab.infra.KeycloakProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The whole platform on one machine: a Kafka broker and an S3 server (one JVM), the api-service and one
 * trainer-worker, each its own process, as they would be in production.
 */
public final class Stack implements AutoCloseable {
    public static final String BUCKET = "transferlab";

    private final InfraProcess infra;
    private final KeycloakProcess keycloak;
    private final ServiceProcess api;
    private final ServiceProcess worker;
    private final LocalStackOptions options;
    private final Map<String, String> apiConfig;
    private final Map<String, String> workerConfig;

    private Stack(InfraProcess infra, KeycloakProcess keycloak, ServiceProcess api, ServiceProcess worker,
                  LocalStackOptions options, Map<String, String> apiConfig, Map<String, String> workerConfig) {
        this.infra = infra;
        this.keycloak = keycloak;
        this.api = api;
        this.worker = worker;
        this.options = options;
        this.apiConfig = apiConfig;
        this.workerConfig = workerConfig;
    }

    public static Stack start(LocalStackOptions options) {
        return start(options, true);
    }

    /** The broker, the store, the OpenID provider and the api-service, no worker: for the api-service's benchmarks. */
    public static Stack startWithoutWorker(LocalStackOptions options) {
        return start(options, false);
    }

    private static Stack start(LocalStackOptions options, boolean withWorker) {
        System.setProperty(InfraProcess.JAR_PROPERTY, infraJar(options.home()).toString());
        if (System.getProperty(KeycloakProcess.HOME_PROPERTY) == null) {
            // Built by deploy/infra's package phase: found in this repository, wherever the running jar lies.
            System.setProperty(KeycloakProcess.HOME_PROPERTY,
                    options.home().resolve("deploy/infra/target/keycloak").toString());
        }
        InfraProcess infra = InfraProcess.start(options.dataDir(), options.kafkaPort(), options.s3Port());
        KeycloakProcess keycloak = null;
        ServiceProcess api = null;
        try {
            if (options.auth()) {
                keycloak = KeycloakProcess.start(options.dataDir().resolve("keycloak"), options.keycloakPort(),
                        KeycloakProcess.DEFAULT_TOKEN_LIFESPAN);
            }
            Map<String, String> shared = new LinkedHashMap<>(infra.serviceConfig());
            shared.put("transferlab.s3.bucket", BUCKET);
            Map<String, String> apiConfig = new LinkedHashMap<>(shared);
            apiConfig.putAll(infra.jobStoreConfig());
            apiConfig.put("transferlab.auth.enabled", String.valueOf(options.auth()));
            if (keycloak != null) {
                apiConfig.put("quarkus.oidc.auth-server-url", keycloak.issuer().toString());
            }
            apiConfig.putAll(options.apiConfig());
            api = startApi(options, apiConfig, "api-service", port(options.apiPort()));
            Map<String, String> workerConfig = new LinkedHashMap<>(shared);
            options.backboneWeights().ifPresentOrElse(
                    w -> workerConfig.put("transferlab.backbone.weights", w),
                    () -> workerConfig.put("transferlab.backbone.allow-random-weights", "true"));
            workerConfig.putAll(options.workerConfig());
            ServiceProcess worker = withWorker
                    ? startWorker(options, workerConfig, "trainer-worker", port(options.workerPort())) : null;
            return new Stack(infra, keycloak, api, worker, options, Map.copyOf(apiConfig), Map.copyOf(workerConfig));
        } catch (RuntimeException e) {
            if (api != null) {
                api.close();
            }
            if (keycloak != null) {
                keycloak.close();
            }
            infra.close();
            throw e;
        }
    }

    private static ServiceProcess startApi(LocalStackOptions options, Map<String, String> apiConfig, String name,
                                           int port) {
        return ServiceProcess.start(name, options.home().resolve("api-service/target/quarkus-app/quarkus-run.jar"),
                port, apiConfig, options.dataDir().resolve("logs"), Duration.ofSeconds(90));
    }

    private static ServiceProcess startWorker(LocalStackOptions options, Map<String, String> workerConfig, String name,
                                              int port) {
        Map<String, String> config = new LinkedHashMap<>(workerConfig);
        config.putIfAbsent("transferlab.backbone.cache-dir", options.dataDir()
                .resolve(name.equals("trainer-worker") ? "backbone-cache" : "backbone-cache-" + name).toString());
        return ServiceProcess.start(name, options.home().resolve("trainer-worker/target/quarkus-app/quarkus-run.jar"),
                port, config, options.dataDir().resolve("logs"), Duration.ofSeconds(180));
    }

    /**
     * Starts one more trainer-worker with the same configuration on a free port (its own log, {@code <name>.log},
     * and its own weights cache), as scaling the worker Deployment up would; the caller stops it.
     */
    public ServiceProcess startAnotherWorker(String name) {
        return startWorker(options, workerConfig, name, port(0));
    }

    /**
     * Starts one more api-service replica with the same configuration on a free port (its own log,
     * {@code <name>.log}), as the api Deployment's autoscaler would; the caller stops it.
     */
    public ServiceProcess startAnotherApi(String name) {
        return startApi(options, apiConfig, name, port(0));
    }

    /** The repository this code was built in: {@code deploy/stack/target/<classes or jar>} is four levels down. */
    public static Path home() {
        String configured = System.getProperty("transferlab.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        try {
            Path location = Path.of(Stack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.getParent().getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path infraJar(Path home) {
        Path target = home.resolve("deploy/infra/target");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "local-infra-*-all.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IllegalStateException("no local-infra-*-all.jar in " + target
                + "; build first: ./mvnw -DskipTests package");
    }

    private static int port(int requested) {
        if (requested != 0) {
            return requested;
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String apiUrl() {
        return api.url();
    }

    public String workerUrl() {
        return worker.url();
    }

    public InfraProcess infra() {
        return infra;
    }

    /** The stack's OpenID provider; empty when authentication is off. */
    public Optional<KeycloakProcess> keycloak() {
        return Optional.ofNullable(keycloak);
    }

    /**
     * A client of the REST API acting as {@code user} of the demo realm (its tokens renewed as they expire); with
     * authentication off, a client without a token.
     */
    public ApiClient apiAs(DemoRealm.User user) {
        ApiClient client = new ApiClient(apiUrl());
        return keycloak == null ? client
                : client.withTokens(keycloak.tokens().session(user.name(), user.password()));
    }

    public ServiceProcess api() {
        return api;
    }

    public ServiceProcess worker() {
        return worker;
    }

    /** A client of the stack's object store, for putting datasets in and checking artifacts. */
    public ObjectStore objectStore() {
        return new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                BUCKET));
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
        api.close();
        if (keycloak != null) {
            keycloak.close();
        }
        infra.close();
    }
}
