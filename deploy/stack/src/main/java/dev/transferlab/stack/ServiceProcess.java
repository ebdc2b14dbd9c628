package dev.transferlab.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One Quarkus service of the platform, run from its packaged application as a child JVM. It can be killed and
 * started again on the same port, which is what the fault tests do to it.
 */
public final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final int port;
    private final Path log;
    private final Duration readyTimeout;
    private Process process;

    private ServiceProcess(String name, List<String> command, int port, Path log, Duration readyTimeout) {
        this.name = name;
        this.command = command;
        this.port = port;
        this.log = log;
        this.readyTimeout = readyTimeout;
    }

    /**
     * Starts {@code quarkus-run.jar} with the given configuration as system properties and waits until its readiness
     * check passes (Kafka and object storage reachable).
     */
    public static ServiceProcess start(String name, Path quarkusRunJar, int port, Map<String, String> config,
                                       Path logDir, Duration readyTimeout) {
        if (!Files.isRegularFile(quarkusRunJar)) {
            throw new IllegalStateException(quarkusRunJar + " is missing; build first: ./mvnw -DskipTests package");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(quarkusRunJar.toString());
        ServiceProcess service = new ServiceProcess(name, List.copyOf(command), port, logDir.resolve(name + ".log"),
                readyTimeout);
        service.start();
        return service;
    }

    /** (Re)starts the process, appending to the same log, and waits until it is ready. */
    public void start() {
        start(readyTimeout);
    }

    /** As {@link #start()}, waiting up to {@code timeout}: a replica that first reads a long history takes longer. */
    public synchronized void start(Duration timeout) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("DJL_OFFLINE", "true");
            // As the worker's image sets it: glibc then reuses the backbone's freed activations instead of mapping
            // fresh pages for every batch (see the worker's NativeHeap); it must be set before the JVM starts.
            builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "1");
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(timeout);
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public Path log() {
        return log;
    }

    /** The process id of the service's JVM as last started (its memory is in {@code /proc/<pid>/status}). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    public String name() {
        return name;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, then waits up to {@code timeout} for the process to exit on its own: it is
     * not killed when it does not.
     *
     * @return the exit code, or empty when the process is still running after the timeout
     */
    public synchronized OptionalInt terminate(Duration timeout) {
        if (process == null || !process.isAlive()) {
            return process == null ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }
        process.destroy();
        waitFor(timeout);
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** SIGKILL: no shutdown hooks, no offset commits, as when a machine disappears. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(250);
        }
        close();
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void waitFor(Duration timeout) {
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, and SIGKILL if it has not stopped after 20 s. */
    @Override
    public synchronized void close() {
        if (terminate(Duration.ofSeconds(20)).isEmpty() && process != null) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }
}
