package dev.transferlab.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs {@link LocalInfra} (Kafka broker + S3Proxy) in a child JVM from the {@code local-infra-*-all.jar}.
 *
 * <p>Uses the JDK only: modules that depend on local-infra exclude all of its dependencies.
 */
public final class InfraProcess implements AutoCloseable {
    public static final String ACCESS_KEY = "transferlab";
    public static final String SECRET_KEY = "transferlab-secret";
    public static final String JAR_PROPERTY = "transferlab.infra.jar";

    private static final String MAIN_CLASS = "dev.transferlab.infra.LocalInfra";
    private static final long START_TIMEOUT_S = 60;
    private static final long STOP_TIMEOUT_S = 10;
    private static final int EARLY_OUTPUT_LINES = 200;
    private static final Pattern READY = Pattern.compile(
            "READY kafka=localhost:(\\d+) s3=http://localhost:(\\d+) postgres=localhost:(\\d+)");

    private final Path dataDir;
    private final Path jar;
    private int kafkaPort;
    private int s3Port;
    private int postgresPort;
    private final int scramPort;
    private Process process;
    private boolean temporary;

    private InfraProcess(Path dataDir, int kafkaPort, int s3Port, int scramPort, Path jar) {
        this.dataDir = dataDir;
        this.kafkaPort = kafkaPort;
        this.s3Port = s3Port;
        this.scramPort = scramPort;
        this.jar = jar;
    }

    /** Starts on free ports; {@link #restart()} keeps the ports it got. */
    public static InfraProcess start(Path dataDir) {
        return start(dataDir, 0, 0);
    }

    /** Starts on the given ports (0 = a free one); blocks until both servers answer. */
    public static InfraProcess start(Path dataDir, int kafkaPort, int s3Port) {
        InfraProcess infra = new InfraProcess(dataDir.toAbsolutePath(), kafkaPort, s3Port, 0, locateJar());
        infra.launch();
        return infra;
    }

    /** Starts on free ports in a new temporary directory, which {@link #close()} deletes: for tests. */
    public static InfraProcess startTemporary(String prefix) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for the local infrastructure", e);
        }
        InfraProcess infra = new InfraProcess(dataDir, 0, 0, 0, locateJar());
        infra.temporary = true;
        infra.launch();
        return infra;
    }

    /**
     * Starts on free ports with a second Kafka listener, SASL/SCRAM-SHA-512 on {@link #scramBootstrap()}, where ACLs
     * apply to each user's principal (users and ACLs are created through the plain listener, whose principal is a
     * super user).
     */
    public static InfraProcess startWithScram(Path dataDir) {
        InfraProcess infra = new InfraProcess(dataDir.toAbsolutePath(), 0, 0, Ports.freeIfZero(0), locateJar());
        infra.launch();
        return infra;
    }

    /** The SASL/SCRAM listener of {@link #startWithScram}. */
    public String scramBootstrap() {
        if (scramPort == 0) {
            throw new IllegalStateException("started without a SCRAM listener");
        }
        return "localhost:" + scramPort;
    }

    public String kafkaBootstrap() {
        return "localhost:" + kafkaPort;
    }

    public String s3Endpoint() {
        return "http://localhost:" + s3Port;
    }

    /** The job store's database, as JDBC names it; user postgres, no password (local connections are trusted). */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgresPort + "/postgres";
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** The properties both services read to use this broker and object store. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafkaBootstrap());
        config.put("transferlab.s3.endpoint", s3Endpoint());
        config.put("transferlab.s3.access-key", accessKey());
        config.put("transferlab.s3.secret-key", secretKey());
        return config;
    }

    /** The api-service's job store, beside {@link #serviceConfig()} (a worker has no store). */
    public Map<String, String> jobStoreConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.jdbc.url", jdbcUrl());
        config.put("quarkus.datasource.username", "postgres");
        return config;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the servers (SIGTERM, then a forced kill after 10 s); the data dir stays. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops if running, then starts a new process on the same ports and data dir. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Stops; a temporary data directory ({@link #startTemporary}) goes too. */
    @Override
    public void close() {
        stop();
        if (temporary) {
            deleteTree(dataDir);
        }
    }

    /** A directory and everything in it, for the tests' temporary data directories. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private synchronized void launch() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", jar.toString(), MAIN_CLASS,
                "--data", dataDir.toString(),
                "--kafka-port", String.valueOf(kafkaPort),
                "--s3-port", String.valueOf(s3Port),
                "--postgres-port", String.valueOf(postgresPort),
                "--access-key", ACCESS_KEY,
                "--secret-key", SECRET_KEY,
                "--exit-with-parent"));
        if (scramPort > 0) {
            command.addAll(List.of("--scram-port", String.valueOf(scramPort)));
        }
        Process started;
        try {
            started = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Deque<String> earlyOutput = new ArrayDeque<>();
        Thread pump = new Thread(() -> pumpOutput(started, ready, earlyOutput), "infra-output-" + started.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            Matcher ports = ready.get(START_TIMEOUT_S, TimeUnit.SECONDS);
            kafkaPort = Integer.parseInt(ports.group(1));
            s3Port = Integer.parseInt(ports.group(2));
            postgresPort = Integer.parseInt(ports.group(3));
            process = started;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            started.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String output;
            synchronized (earlyOutput) {
                output = String.join("\n", earlyOutput);
            }
            throw new IllegalStateException("LocalInfra did not report READY within " + START_TIMEOUT_S
                    + " s (" + e + "). Its output:\n" + output, e);
        }
    }

    /** Keeps the output until READY for the error message; afterwards shows it on System.err. */
    private static void pumpOutput(Process child, CompletableFuture<Matcher> ready, Deque<String> earlyOutput) {
        try (BufferedReader reader = child.inputReader()) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher matcher = READY.matcher(line);
                if (ready.isDone()) {
                    System.err.println("[infra] " + line);
                } else if (matcher.matches()) {
                    ready.complete(matcher);
                } else {
                    synchronized (earlyOutput) {
                        if (earlyOutput.size() == EARLY_OUTPUT_LINES) {
                            earlyOutput.removeFirst();
                        }
                        earlyOutput.addLast(line);
                    }
                }
            }
        } catch (IOException e) {
            // The pipe closes when the child is killed: nothing left to show.
        }
        ready.completeExceptionally(new IllegalStateException("LocalInfra exited before READY"));
    }

    private static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null) {
            return requireFile(Path.of(configured));
        }
        Path here;
        try {
            here = Path.of(InfraProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String name = here.getFileName().toString();
        if (name.endsWith("-all.jar")) {
            return here;
        }
        if (name.endsWith(".jar")) {
            // The shaded jar is attached next to the plain one, in target/ and in ~/.m2 alike.
            return requireFile(here.resolveSibling(name.substring(0, name.length() - 4) + "-all.jar"));
        }
        Path target = here.getParent();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "local-infra-*-all.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            // Reported below, with the command that builds the jar.
        }
        return requireFile(target.resolve("local-infra-<version>-all.jar"));
    }

    private static Path requireFile(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No LocalInfra jar at " + jar
                    + ": run ./mvnw -pl deploy/infra -am package first (or set -D" + JAR_PROPERTY + "=<path>)");
        }
        return jar;
    }
}
