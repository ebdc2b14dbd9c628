package dev.transferlab.deploy.images;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds both services' JVM images the way a release does (Quarkus container-image with Jib, no Docker daemon) and
 * pushes them to a real registry on loopback, then reads them back: entrypoint, ports, environment, and which jars
 * each carries. Only the base differs from a release's (see {@link StandInBaseImage}).
 */
class ServiceImagesIT {
    private static final Path ROOT = Path.of(System.getProperty("project.root"));
    private static final String VERSION = System.getProperty("project.version");
    private static final Path WORK = Path.of("target", "images-it").toAbsolutePath();
    private static LocalRegistry registry;

    @BeforeAll
    static void buildAndPush() throws Exception {
        registry = LocalRegistry.start(WORK.resolve("registry"));
        Path base = StandInBaseImage.write(WORK.resolve("stand-in-base.tar"));
        maven("images-build.log", "package", "-pl", "api-service,trainer-worker", "-am", "-DskipTests",
                "-Dquarkus.container-image.build=true", "-Dquarkus.container-image.push=true",
                "-Dquarkus.container-image.registry=" + registry.address(),
                "-Dquarkus.container-image.insecure=true", "-Dquarkus.jib.base-jvm-image=tar://" + base);
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void apiServiceImageRunsTheQuarkusAppOnItsPortWithoutAnyMlLibrary() throws Exception {
        PushedImage image = PushedImage.read(registry.address(), "transferlab/api-service", VERSION);

        assertThat(image.entrypoint()).contains("java", "-jar", "quarkus-run.jar");
        assertThat(image.exposedPorts()).containsExactly("8080/tcp");
        assertThat(image.user()).as("numeric and not root, for runAsNonRoot").isEqualTo("185");
        assertThat(image.files()).contains("/home/jboss/quarkus-run.jar",
                "/home/jboss/app/api-service-" + VERSION + ".jar",
                "/home/jboss/lib/main/dev.transferlab.common-" + VERSION + ".jar");
        assertThat(image.files()).noneMatch(file -> file.contains("ai.djl") || file.contains("pytorch"));
    }

    @Test
    void cpuWorkerImageCarriesTheCpuNativesAndRunsDjlOffline() throws Exception {
        PushedImage image = PushedImage.read(registry.address(), "transferlab/trainer-worker", VERSION + "-cpu");

        assertThat(image.entrypoint()).contains("-XX:MaxRAMPercentage=33", "quarkus-run.jar");
        assertThat(image.exposedPorts()).containsExactly("8081/tcp");
        assertThat(image.user()).isEqualTo("185");
        assertThat(image.env()).contains("DJL_OFFLINE=true", "DJL_CACHE_DIR=/tmp/djl");
        assertThat(image.files()).contains("/home/jboss/lib/main/ai.djl.pytorch.pytorch-native-cpu-2.5.1-linux-x86_64.jar",
                "/home/jboss/lib/main/ai.djl.pytorch.pytorch-engine-0.33.0.jar");
        assertThat(image.files()).noneMatch(file -> file.contains("pytorch-native-cu"));
    }

    /** The CUDA image's natives are 2.5 GB, too big to build here; its profile's effective model is checked instead. */
    @Test
    void cudaProfileSwapsInTheCuda124NativesAndTagsTheImageCuda() throws Exception {
        Path effective = WORK.resolve("trainer-worker-cuda.pom.xml");
        maven("cuda-effective-pom.log", "-Pcuda", "-pl", "trainer-worker",
                "org.apache.maven.plugins:maven-help-plugin:3.5.2:effective-pom", "-Doutput=" + effective);

        String pom = Files.readString(effective);
        assertThat(pom).contains("<artifactId>pytorch-native-cu124</artifactId>")
                .doesNotContain("<artifactId>pytorch-native-cpu</artifactId>")
                .contains("<quarkus.container-image.tag>" + VERSION + "-cuda</quarkus.container-image.tag>");
    }

    private static void maven(String logName, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-q"));
        command.addAll(List.of(arguments));
        Path log = WORK.resolve(logName);
        Process build = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!build.waitFor(20, TimeUnit.MINUTES)) {
            build.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(build.exitValue()).as("%s failed; the end of %s:%n%s", command, log,
                String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))).isZero();
    }
}
