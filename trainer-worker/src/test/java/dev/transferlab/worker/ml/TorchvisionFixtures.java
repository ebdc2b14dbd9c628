package dev.transferlab.worker.ml;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Full-size fixtures, too large to commit, made at test time by src/test/python/parity_fixtures.py (full mode) with
 * Debian's python3-torch and python3-torchvision: DenseNet121 weights in three formats, photo-sized images, and
 * torchvision's outputs for them. Made once per script version into target/parity-full.
 * The tests fail when Python cannot make them; -Dtransferlab.parity.python=skip skips them instead.
 */
final class TorchvisionFixtures {

    private static final Path SCRIPT = Path.of("src/test/python/parity_fixtures.py");
    private static final Path DIRECTORY = Path.of("target/parity-full");
    private static Path made;

    private TorchvisionFixtures() {
    }

    static synchronized Path full() {
        if (made != null) {
            return made;
        }
        String python = System.getProperty("transferlab.parity.python", "/usr/bin/python3");
        Assumptions.assumeFalse(python.equals("skip"),
                "full-size parity checks skipped (transferlab.parity.python=skip)");
        try {
            String version = Sha256.hex(SCRIPT);
            Path stamp = DIRECTORY.resolve("made-by-" + version);
            if (!Files.exists(stamp)) {
                run(python);
                Files.writeString(stamp, version);
            }
            made = DIRECTORY;
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(String python) throws IOException {
        Files.createDirectories(DIRECTORY);
        Path log = DIRECTORY.resolve("python.log");
        Process process = new ProcessBuilder(List.of(python, SCRIPT.toString(), "full", DIRECTORY.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(SCRIPT + " took over 10 minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the full-size parity fixtures need Debian's python3-torchvision ("
                    + "apt-get install -y python3-torchvision python3-pil; .ci/run does it), or run with "
                    + "-Dtransferlab.parity.python=skip. " + python + " " + SCRIPT + " said:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
