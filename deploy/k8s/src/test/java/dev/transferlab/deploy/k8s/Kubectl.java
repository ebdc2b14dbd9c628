package dev.transferlab.deploy.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Builds overlays with {@code kubectl kustomize}. Debian's kubernetes-client (kubectl 1.20, kustomize v2.0.3 inside)
 * is what CI installs; a newer kubectl (kustomize v5) builds the same output. {@code -Dkubectl=PATH} picks one.
 */
public final class Kubectl {
    private static final Map<Path, List<ObjectNode>> BUILT = new ConcurrentHashMap<>();

    private Kubectl() {
    }

    public static String command() {
        return System.getProperty("kubectl", "kubectl");
    }

    /** The overlay's documents, built once per test run. */
    public static List<ObjectNode> build(String overlay) {
        return BUILT.computeIfAbsent(Manifests.overlay(overlay), Kubectl::kustomize);
    }

    private static List<ObjectNode> kustomize(Path dir) {
        Process process;
        Path stderr;
        try {
            // stderr to a file: it is not read while stdout is, and a full pipe would stall kubectl.
            stderr = Files.createTempFile("kubectl", ".err");
            process = new ProcessBuilder(command(), "kustomize", dir.toString())
                    .redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + command() + "' (" + e.getMessage() + "): the manifests are built "
                    + "with kubectl's kustomize; install it with `apt-get install kubernetes-client` (.ci/run does), "
                    + "or point -Dkubectl= at a kubectl", e);
        }
        try {
            process.getOutputStream().close();
            var stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed:\n" + Files.readString(stderr));
            }
            Files.delete(stderr);
            return Manifests.parse(new String(stdout, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
