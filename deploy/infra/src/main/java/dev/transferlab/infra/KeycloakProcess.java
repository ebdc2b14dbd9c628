package dev.transferlab.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Keycloak, a real OpenID provider, with the realm {@value #REALM} of {@link DemoRealm}, as a process of its own
 * on a free port of 127.0.0.1.
 *
 * <p>The server is the distribution that this module's build unpacks and builds into {@code target/keycloak}. Its
 * database is in memory: every start imports the realm afresh (same users, new signing keys), and nothing is kept.
 * Uses the JDK only, like {@link InfraProcess}.
 */
public final class KeycloakProcess implements AutoCloseable {
    public static final String REALM = "transferlab";
    /** The API's client: tokens for the API carry it in {@code aud}. */
    public static final String API_CLIENT = "transferlab";
    /** A public client with the password grant, for curl, the demo and the console. */
    public static final String CLI_CLIENT = "transferlab-cli";
    /** Like {@link #CLI_CLIENT}, but its access tokens live 2 s: for tests that need an expired token. */
    public static final String SHORT_LIVED_CLIENT = "transferlab-cli-short-lived";
    /** Another application of the same realm: its tokens do not name the API in {@code aud}. */
    public static final String OTHER_APP_CLIENT = "other-app";
    public static final Duration DEFAULT_TOKEN_LIFESPAN = Duration.ofMinutes(5);
    public static final String HOME_PROPERTY = "transferlab.keycloak.home";
    public static final String JAVA_HOME_PROPERTY = "transferlab.keycloak.java-home";

    /** Read by the realm file's placeholder for {@code accessTokenLifespan}. */
    private static final String LIFESPAN_ENV = "TRANSFERLAB_OIDC_TOKEN_LIFESPAN_S";
    private static final String BUILD_MARKER = "lib/quarkus/transferlab-build";
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    // Keycloak 26 is supported on Java 21+; 26.7 still runs on 17, which is taken only when no newer JDK is found.
    private static final int PREFERRED_JAVA = 21;
    // C1 only and the serial collector halve the CPU time of a start on two cores; a test server needs no peak speed.
    private static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms64m -Xmx384m"
            + " -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m -XX:+ExitOnOutOfMemoryError"
            + " -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/urandom";
    private static final long START_TIMEOUT_S = 180;
    private static final long STOP_TIMEOUT_S = 20;
    private static final int EARLY_OUTPUT_LINES = 200;

    private final Path workDir;
    private final int port;
    private final Duration tokenLifespan;
    private final Deque<String> earlyOutput = new ArrayDeque<>();
    private final Thread shutdownHook = new Thread(this::stop, "keycloak-stop");
    private Process process;
    private volatile boolean ready;

    private KeycloakProcess(Path workDir, int port, Duration tokenLifespan) {
        this.workDir = workDir;
        this.port = port;
        this.tokenLifespan = tokenLifespan;
    }

    /** Starts on a free port with 5-minute access tokens; blocks until the realm's discovery document answers. */
    public static KeycloakProcess start(Path workDir) {
        return start(workDir, 0, DEFAULT_TOKEN_LIFESPAN);
    }

    /** Starts on the given port (0 = a free one); blocks until the realm's discovery document answers. */
    public static KeycloakProcess start(Path workDir, int port, Duration tokenLifespan) {
        if (tokenLifespan.toSeconds() < 1) {
            throw new IllegalArgumentException("Access-token lifespan must be at least 1 s: " + tokenLifespan);
        }
        KeycloakProcess keycloak = new KeycloakProcess(workDir.toAbsolutePath(), Ports.freeIfZero(port), tokenLifespan);
        keycloak.launch(locateHome());
        return keycloak;
    }

    /** The realm's issuer: {@code quarkus.oidc.auth-server-url} and the {@code iss} of its tokens. */
    public URI issuer() {
        return URI.create("http://127.0.0.1:" + port + "/realms/" + REALM);
    }

    public int port() {
        return port;
    }

    public Duration tokenLifespan() {
        return tokenLifespan;
    }

    /** A client for the password grant of {@link #CLI_CLIENT} on this server. */
    public TokenClient tokens() {
        return tokens(CLI_CLIENT);
    }

    /** A client for the password grant of one of this realm's public clients. */
    public TokenClient tokens(String clientId) {
        return TokenClient.discover(issuer(), clientId);
    }

    /** An access token for one of the {@link DemoRealm} users. */
    public String accessToken(DemoRealm.User user) {
        return tokens().accessToken(user.name(), user.password());
    }

    /** The command a person types to get a token for {@code user}, for a launcher to print. */
    public String curlExample(DemoRealm.User user) {
        return "curl -s -d grant_type=password -d client_id=" + CLI_CLIENT + " -d username=" + user.name()
                + " -d password=" + user.password() + " " + issuer() + "/protocol/openid-connect/token"
                + " | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/'";
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (SIGTERM to kc.sh, which passes it on; a forced kill of both after 20 s). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            for (ProcessHandle child : children) {
                child.onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        process = null;
        if (!Thread.currentThread().equals(shutdownHook)) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch(Path home) {
        List<String> command = List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                "--import-realm",
                "--http-enabled=true",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                // Fixed, so that the issuer does not follow the Host header (localhost and 127.0.0.1 would differ).
                "--hostname=http://127.0.0.1:" + port,
                "--cache=local");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", javaHome().toString());
        // Narayana's object store would otherwise be shared by every server started from this distribution.
        env.put("JAVA_OPTS", JAVA_OPTS + " -Dquarkus.transaction-manager.object-store.directory="
                + workDir.resolve("transaction-logs"));
        env.put(LIFESPAN_ENV, String.valueOf(tokenLifespan.toSeconds()));
        try {
            Files.createDirectories(workDir);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Process started = process;
        Thread pump = new Thread(() -> pumpOutput(started), "keycloak-output-" + started.pid());
        pump.setDaemon(true);
        pump.start();
        awaitDiscovery();
    }

    private void awaitDiscovery() {
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_S);
        String failure = "no answer";
        while (System.nanoTime() < deadline && isRunning()) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ready = true;
                    return;
                }
                failure = "HTTP " + response.statusCode();
            } catch (IOException e) {
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(Duration.ofMillis(250));
        }
        boolean exited = !isRunning();
        stop();
        String output;
        synchronized (earlyOutput) {
            output = String.join("\n", earlyOutput);
        }
        throw new IllegalStateException("Keycloak " + (exited ? "exited before " : "did not serve ") + discovery
                + " within " + START_TIMEOUT_S + " s (last: " + failure + "). Its output:\n" + output);
    }

    /** Keeps the output until ready for the error message; afterwards shows it on System.err. */
    private void pumpOutput(Process child) {
        try (BufferedReader reader = child.inputReader()) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (ready) {
                    System.err.println("[keycloak] " + line);
                    continue;
                }
                synchronized (earlyOutput) {
                    if (earlyOutput.size() == EARLY_OUTPUT_LINES) {
                        earlyOutput.removeFirst();
                    }
                    earlyOutput.addLast(line);
                }
            }
        } catch (IOException e) {
            // The pipe closes when the server is killed: nothing left to show.
        }
    }

    /** {@value #JAVA_HOME_PROPERTY}, else this JVM if 21+, else the newest 21+ JDK in /usr/lib/jvm, else this JVM. */
    static Path javaHome() {
        String configured = System.getProperty(JAVA_HOME_PROPERTY);
        if (configured != null) {
            return requireJava(Path.of(configured));
        }
        Path current = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= PREFERRED_JAVA) {
            return current;
        }
        Path best = null;
        int bestVersion = PREFERRED_JAVA - 1;
        try (var jdks = Files.list(JVM_DIR)) {
            for (Path jdk : jdks.toList()) {
                int version = javaVersion(jdk);
                if (version > bestVersion && Files.isExecutable(jdk.resolve("bin/java"))) {
                    best = jdk;
                    bestVersion = version;
                }
            }
        } catch (IOException e) {
            // No /usr/lib/jvm: this JVM it is.
        }
        return best != null ? best : current;
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}), or 0. */
    private static int javaVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Runtime.Version.parse(version).feature();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // Not a JDK, or one that does not say: skipped.
        }
        return 0;
    }

    private static Path requireJava(Path javaHome) {
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            throw new IllegalStateException("No bin/java under -D" + JAVA_HOME_PROPERTY + "=" + javaHome);
        }
        return javaHome;
    }

    /** {@value #HOME_PROPERTY}, else {@code keycloak/} in the target folder this class was loaded from. */
    private static Path locateHome() {
        String configured = System.getProperty(HOME_PROPERTY);
        Path home;
        if (configured != null) {
            home = Path.of(configured);
        } else {
            Path here;
            try {
                here = Path.of(KeycloakProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            // target/classes or target/local-infra-*.jar alike.
            home = here.getParent().resolve("keycloak");
        }
        if (!Files.isRegularFile(home.resolve(BUILD_MARKER))) {
            throw new IllegalStateException("No built Keycloak at " + home.toAbsolutePath()
                    + ": run ./mvnw -pl deploy/infra -am package first (or set -D" + HOME_PROPERTY + "=<path>)");
        }
        return home.toAbsolutePath();
    }


    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the server until Ctrl-C, printing the issuer and how to get a token. Flags: {@code --port <n>}. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length == 2 && args[0].equals("--port") ? Integer.parseInt(args[1]) : 0;
        if (args.length != 0 && port == 0) {
            throw new IllegalArgumentException("Usage: KeycloakProcess [--port <n>]");
        }
        KeycloakProcess keycloak = start(Path.of(".stack-data", "keycloak"), port, DEFAULT_TOKEN_LIFESPAN);
        List<String> lines = new ArrayList<>();
        lines.add("READY issuer=" + keycloak.issuer());
        for (DemoRealm.User user : DemoRealm.USERS) {
            lines.add("  " + user);
        }
        lines.add("A token for alice: TOKEN=$(" + keycloak.curlExample(DemoRealm.ALICE) + ")");
        System.out.println(String.join("\n", lines));
        Thread.currentThread().join();
    }
}
