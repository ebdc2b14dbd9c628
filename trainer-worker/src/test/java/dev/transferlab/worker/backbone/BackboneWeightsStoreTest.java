package dev.transferlab.worker.backbone;

import com.sun.net.httpserver.HttpServer;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import dev.transferlab.worker.ml.ParityFixtures;
import dev.transferlab.worker.ml.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real S3 server and a real HTTP server. */
class BackboneWeightsStoreTest {

    static final byte[] LEGACY = ParityFixtures.bytes("tiny-densenet-legacy.pth");
    static final String LEGACY_SHA = Sha256.hex(LEGACY);
    static final Map<String, byte[]> SERVED = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    static HttpServer http;
    static ObjectStore store;

    @TempDir
    Path disk;

    @BeforeAll
    static void start() throws IOException {
        store = SharedS3.store();
        http = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        http.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            REQUESTS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = SERVED.get(path);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        http.start();
    }

    @AfterAll
    static void stop() {
        http.stop(0);
        store.close();
    }

    @Test
    void aUrlWithAHashInItsNameIsDownloadedOnceForEveryWorker() throws IOException {
        String url = serve("/models/tiny-densenet-" + LEGACY_SHA.substring(0, 8) + ".pth", LEGACY);
        BackboneWeightsStore worker1 = new BackboneWeightsStore(store, disk.resolve("worker1"));
        BackboneWeightsStore worker2 = new BackboneWeightsStore(store, disk.resolve("worker2"));

        StoredWeights first = worker1.fetch(url, null);
        StoredWeights second = worker2.fetch(url, null);
        StoredWeights again = worker1.fetch(url, null);

        assertThat(REQUESTS.get(path(url)).get()).isEqualTo(1);
        assertThat(first.sha256()).isEqualTo(LEGACY_SHA);
        assertThat(first.contentAddress()).isEqualTo("s3://" + SharedS3.BUCKET + "/backbones/sha256/" + LEGACY_SHA);
        assertThat(store.get(store.inDefaultBucket(StorageLayout.backboneWeights(LEGACY_SHA)))).hasValue(LEGACY);
        assertThat(Files.readAllBytes(second.file())).isEqualTo(LEGACY);
        assertThat(second.file()).startsWith(disk.resolve("worker2"));
        assertThat(again.file()).isEqualTo(first.file());
    }

    @Test
    void contentThatDoesNotMatchTheHashInItsNameIsRefusedAndNotKept() {
        byte[] other = ParityFixtures.bytes("views-zip.pt");
        String url = serve("/models/views-0123abcd.pt", other);

        assertThatThrownBy(() -> new BackboneWeightsStore(store, disk).fetch(url, null))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("starting with 0123abcd")
                .hasMessageContaining(Sha256.hex(other));
        assertThat(store.exists(store.inDefaultBucket(StorageLayout.backboneWeights(Sha256.hex(other))))).isFalse();
    }

    @Test
    void aPinnedHashIsEnforcedAndLetsOtherWorkersSkipTheSource() throws IOException {
        byte[] safetensors = ParityFixtures.bytes("tiny-densenet.safetensors");
        String sha = Sha256.hex(safetensors);
        Path file = Files.write(disk.resolve("weights.safetensors"), safetensors);

        assertThatThrownBy(() -> new BackboneWeightsStore(store, disk.resolve("a")).fetch(file.toString(),
                "0".repeat(64))).isInstanceOf(WeightsException.class).hasMessageContaining(sha);
        new BackboneWeightsStore(store, disk.resolve("b")).fetch(file.toString(), sha.toUpperCase());
        Files.delete(file);
        StoredWeights elsewhere = new BackboneWeightsStore(store, disk.resolve("c")).fetch(file.toString(), sha);

        assertThat(Files.readAllBytes(elsewhere.file())).isEqualTo(safetensors);
    }

    @Test
    void anS3SourceIsStoredUnderItsContentAddressWhichLaterFindsIt() throws IOException {
        byte[] zip = ParityFixtures.bytes("tiny-densenet-zip.pt");
        store.put(store.inDefaultBucket("uploads/my-weights.pt"), zip, "application/octet-stream");

        StoredWeights stored = new BackboneWeightsStore(store, disk.resolve("a"))
                .fetch("s3://" + SharedS3.BUCKET + "/uploads/my-weights.pt", null);
        store.delete(store.inDefaultBucket("uploads/my-weights.pt"));
        StoredWeights byAddress = new BackboneWeightsStore(store, disk.resolve("b")).fetch(stored.contentAddress(),
                null);

        assertThat(byAddress.sha256()).isEqualTo(Sha256.hex(zip));
        assertThat(Files.readAllBytes(byAddress.file())).isEqualTo(zip);
    }

    @Test
    void aDamagedLocalCopyIsReplacedFromTheBucket() throws IOException {
        String url = serve("/models/again-" + LEGACY_SHA.substring(0, 10) + ".pth", LEGACY);
        BackboneWeightsStore worker = new BackboneWeightsStore(store, disk);
        StoredWeights stored = worker.fetch(url, null);
        Files.write(stored.file(), new byte[] {1, 2, 3});

        StoredWeights repaired = worker.fetch(url, null);

        assertThat(Files.readAllBytes(repaired.file())).isEqualTo(LEGACY);
        assertThat(REQUESTS.get(path(url)).get()).isEqualTo(1);
    }

    @Test
    void aSourceWithoutAHashIsFetchedEachTimeBecauseItMayChange() {
        String url = serve("/models/latest.pth", LEGACY);

        new BackboneWeightsStore(store, disk.resolve("a")).fetch(url, null);
        new BackboneWeightsStore(store, disk.resolve("b")).fetch(url, null);

        assertThat(REQUESTS.get(path(url)).get()).isEqualTo(2);
    }

    @Test
    void unreachableSourcesAreClearErrors() {
        BackboneWeightsStore weights = new BackboneWeightsStore(store, disk);

        assertThatThrownBy(() -> weights.fetch(base() + "/models/missing-12345678.pth", null))
                .isInstanceOf(WeightsException.class).hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> weights.fetch("s3://" + SharedS3.BUCKET + "/nothing/here.pt", null))
                .isInstanceOf(WeightsException.class).hasMessageContaining("no object at");
        assertThatThrownBy(() -> weights.fetch(disk.resolve("absent.pth").toString(), null))
                .isInstanceOf(WeightsException.class).hasMessageContaining("absent.pth");
        assertThatThrownBy(() -> weights.fetch("ftp://example.org/w.pth", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme");
    }

    static String serve(String path, byte[] body) {
        SERVED.put(path, body);
        return base() + path;
    }

    static String base() {
        return "http://localhost:" + http.getAddress().getPort();
    }

    private static String path(String url) {
        return java.net.URI.create(url).getPath();
    }
}
